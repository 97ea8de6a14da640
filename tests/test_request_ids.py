"""Request ids: echoed or made by the web process, on every log line (as JSON with
LOG_FORMAT=json), and carried into the worker's lines for the projection the request caused."""

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from tests import factories
from tests.conftest import ROOT, WorkerProcess, wait_until

NEW_ID = re.compile(r"[0-9a-f]{32}")


def test_a_valid_request_id_is_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc123")
    assert response["X-Request-ID"] == "abc123"


@pytest.mark.parametrize(
    "given",
    ["two words", "x" * 65, "<script>", "caf\u00e9", ""],
    ids=["space", "long", "markup", "non-ascii", "empty"],
)
def test_an_unacceptable_request_id_is_replaced_by_a_new_one(client, given):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)
    assert NEW_ID.fullmatch(response["X-Request-ID"])


def test_a_request_without_an_id_gets_a_new_one_each_time(client):
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert NEW_ID.fullmatch(first) and NEW_ID.fullmatch(second) and first != second


def _json_lines(text: str) -> list[dict[str, Any]]:
    """The lines that are JSON objects (a worker also prints its banner as plain text)."""
    lines = []
    for line in text.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            lines.append(value)
    return lines


def test_with_json_logs_a_line_of_a_request_is_json_carrying_its_id():
    # A page that does not exist: Django logs the 404 while the request is served.
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "Client(SERVER_NAME='localhost').get('/no-such-page/', HTTP_X_REQUEST_ID='req-42')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and all(isinstance(json.loads(line), dict) for line in lines), result.stderr
    (not_found,) = [line for line in map(json.loads, lines) if "Not Found" in line["message"]]
    assert not_found["request_id"] == "req-42"
    assert not_found["level"] == "WARNING" and not_found["logger"] == "django.request"


def test_an_unknown_log_format_is_refused():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "LOG_FORMAT must be text or json, not 'xml'" in result.stderr


class JsonLoggingWorker(WorkerProcess):
    def environment(self) -> dict[str, str]:
        return {**super().environment(), "LOG_FORMAT": "json"}


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_projection_a_request_causes_logs_with_its_request_id(search_index, staff_api):
    # search_index pauses the session's worker, so this one takes the projection
    worker = JsonLoggingWorker("request-ids").start()
    try:
        category = factories.category("Lamps")
        created = staff_api.post(
            "/api/products/",
            {"sku": "RID-1", "name": "Traced Desk Lamp", "category": category.slug, "price": "19.00"},
            format="json",
            HTTP_X_REQUEST_ID="abc123",
        )
        assert created.status_code == 201, created.json()
        assert created["X-Request-ID"] == "abc123"

        def projection_lines() -> list[dict[str, Any]]:
            lines = _json_lines(worker.log_path.read_text(errors="replace"))
            return [
                line
                for line in lines
                if "tasks.projection.drain_outbox" in line["message"] and "succeeded" in line["message"]
            ]

        # Other drains may run too (the relay's, with no request id): the request's own is the one
        # that indexed its product.
        def indexed_the_product() -> list[dict[str, Any]]:
            return [line for line in projection_lines() if "'indexed': 1" in line["message"]]

        (first, *_) = wait_until(indexed_the_product, timeout=20)
        assert first["request_id"] == "abc123"
    finally:
        worker.stop()
