"""/metrics is served to the configured networks (loopback by default) and, with METRICS_TOKEN
set, only to readers sending it as a bearer token."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

OUTSIDE = "203.0.113.9"


def _get(remote: str, **headers: str):
    return Client(REMOTE_ADDR=remote).get("/metrics", **headers)


def test_by_default_only_loopback_reads_metrics(search_index):
    assert _get("127.0.0.1").status_code == 200
    assert _get("::1").status_code == 200

    refused = _get(OUTSIDE)
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"


def test_a_forged_x_forwarded_for_does_not_make_a_client_local(search_index):
    assert _get(OUTSIDE, HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 403


def test_configured_networks_may_read_them(search_index, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]

    assert _get("10.1.2.3").status_code == 200
    assert _get("127.0.0.1").status_code == 403


def test_with_a_token_set_a_reader_needs_it(search_index, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"

    missing = _get("127.0.0.1")
    assert missing.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert _get("127.0.0.1", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    allowed = _get("127.0.0.1", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert allowed.status_code == 200
    assert b"catalog_outbox_backlog" in allowed.content
