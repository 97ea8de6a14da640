"""Idempotency keys are honoured for at least 24 hours, then purged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog import services
from catalog.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


def test_records_younger_than_48_hours_survive_the_purge(staff_api):
    body = {"name": "Acme"}
    staff_api.post("/api/brands/", body, format="json", HTTP_IDEMPOTENCY_KEY="day-old")
    staff_api.post("/api/brands/", {"name": "Globex"}, format="json", HTTP_IDEMPOTENCY_KEY="ancient")
    IdempotencyRecord.objects.filter(key="day-old").update(created_at=timezone.now() - timedelta(hours=25))
    IdempotencyRecord.objects.filter(key="ancient").update(created_at=timezone.now() - timedelta(hours=49))

    assert services.idempotency_records_purge() == 1

    replay = staff_api.post("/api/brands/", body, format="json", HTTP_IDEMPOTENCY_KEY="day-old")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["day-old"]
