"""The README's quickstart session, run as written (bash and curl) against a live server with
the real worker and Elasticsearch: what a newcomer pastes must work."""

import os
import re
import subprocess

import pytest
from django.contrib.auth.models import User

from catalog.models import Product
from tests.conftest import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def quickstart_session() -> str:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- quickstart:start -->\n```sh\n(.*?)```\n<!-- quickstart:end -->", readme, re.S)
    assert block, "the README's quickstart block is gone"
    return block.group(1)


def test_the_readmes_quickstart_session_works_as_written(live_server, celery_worker, search_index):
    # given the admin user `make run` creates
    User.objects.create_superuser("admin", "admin@example.com", "quickstart-secret")
    # when the session runs in bash against the live server
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", quickstart_session()],
        env={**os.environ, "BASE": live_server.url, "CATALOG_ADMIN_PASSWORD": "quickstart-secret"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then every step succeeded, and printed what the README says it shows
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines == [
        "quickstart-audio",
        "quickstart-speakers",
        "Quickstart Bookshelf Speaker",
        "Quickstart Bookshelf Speaker",
        "2",
        "204",
    ]
    assert not Product.objects.filter(sku="QS-1").exists()
