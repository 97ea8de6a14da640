"""/healthz and /readyz: what an orchestrator watches."""

from datetime import timedelta

import pytest
from django.utils import timezone

from projection import drain
from projection.models import OutboxEntry
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_readyz_is_ok_when_every_dependency_answers_and_nothing_waits(api, search_index):
    response = api.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok"}


def test_readyz_fails_while_changes_wait_with_no_worker_taking_them(api, search_index, settings):
    # given a change that has waited past the stall limit, and no worker claimed anything since
    settings.PROJECTION_STALL_SECONDS = 60
    factories.product()
    long_ago = timezone.now() - timedelta(seconds=90)
    OutboxEntry.objects.update(committed_at=long_ago, available_at=long_ago)
    # when an orchestrator asks
    response = api.get("/readyz")
    # then the projection is named as failing
    assert response.status_code == 503
    assert "changes have waited" in response.json()["failing"]["projection"]
    # and once a worker takes the changes, the service is ready again
    assert drain.drain_outbox().indexed == 1
    assert api.get("/readyz").status_code == 200


def test_readyz_does_not_blame_the_worker_for_changes_within_the_limit(api, search_index, settings):
    settings.PROJECTION_STALL_SECONDS = 60
    factories.product()
    assert OutboxEntry.objects.filter(state=OutboxEntry.State.PENDING).count() == 1
    assert api.get("/readyz").status_code == 200
