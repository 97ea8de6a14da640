"""A web process SIGKILLed in the middle of a bulk request, on a real gunicorn against the test
database and the real worker: what it committed is whole chunks, each product with its variant,
outbox row and history; the client's retry with the same Idempotency-Key carries on from there;
and every product reaches Elasticsearch once, at its version. Celery beat runs the outbox relay,
as in production: a kill between coalescing a drain request and sending it loses that request,
and the relay is what delivers it."""

import socket
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from rest_framework.authtoken.models import Token

from catalog.history import ProductChange
from catalog.models import Product, ProductVariant
from projection.models import OutboxEntry
from search.client import get_client
from tests import factories
from tests.conftest import BeatProcess, WorkerProcess, refresh, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CHUNK = 20
OPERATIONS = 300


class WebProcess(WorkerProcess):
    """Our gunicorn, one sync worker, with small bulk chunks so a request spans many commits."""

    ready_marker = b"Booting worker"

    def __init__(self, port: int) -> None:
        super().__init__(name="web")
        self.port = port

    def environment(self) -> dict[str, str]:
        return {**super().environment(), "CATALOG_BULK_CHUNK_SIZE": str(CHUNK)}

    def argv(self) -> list[str]:
        return [
            *(sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1", "--timeout", "120"),
            *("--bind", f"127.0.0.1:{self.port}"),
        ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _post_bulk(port: int, token: str, operations: list[dict[str, Any]]) -> requests.Response:
    return requests.post(
        f"http://127.0.0.1:{port}/api/products/bulk/",
        json=operations,
        headers={"Authorization": f"Token {token}", "Idempotency-Key": "killed-mid-bulk"},
        timeout=120,
    )


@pytest.fixture
def outbox_relay() -> Iterator[BeatProcess]:
    beat = BeatProcess("kill-beat").start()
    yield beat
    beat.stop()


def test_a_bulk_request_whose_web_process_is_killed_leaves_whole_chunks_and_a_retry_finishes_it(
    celery_worker, outbox_relay, search_index
):
    # given a bulk request of 300 upserts in chunks of 20, sent to a real gunicorn
    category = factories.category("Lamps")
    token = Token.objects.create(user=factories.user(*factories.CATALOG_PERMISSIONS)).key
    operations = [
        {
            "op": "upsert",
            "product": {
                "sku": f"KILL-{n:04}",
                "name": f"Lamp {n}",
                "category": category.slug,
                "price": "9.50",
            },
        }
        for n in range(OPERATIONS)
    ]
    web = WebProcess(_free_port()).start()
    outcome: dict[str, Any] = {}

    def send() -> None:
        try:
            outcome["response"] = _post_bulk(web.port, token, operations)
        except requests.ConnectionError as error:
            outcome["error"] = error

    sender = threading.Thread(target=send)
    sender.start()

    # when the web process is SIGKILLed once some chunks have committed
    wait_until(lambda: Product.objects.filter(sku__startswith="KILL-").count() >= 2 * CHUNK, interval=0.01)
    web.kill()
    sender.join(timeout=30)

    # then the request really died with it: no answer reached the client
    assert web.process.returncode == -9
    assert "error" in outcome and "response" not in outcome
    committed = Product.objects.filter(sku__startswith="KILL-")
    written = committed.count()
    assert 0 < written < OPERATIONS

    # and what it committed is whole chunks, each product whole: its variant, its outbox row and
    # its history
    assert written % CHUNK == 0, written
    assert ProductVariant.objects.filter(product__in=committed).count() == written
    assert OutboxEntry.objects.filter(product_id__in=committed.values("id")).count() == written
    assert ProductChange.objects.filter(product_id__in=committed.values("id")).count() == written

    # when the client retries with the same key against a new web process
    web = WebProcess(_free_port()).start()
    try:
        response = _post_bulk(web.port, token, operations)
    finally:
        web.stop()

    # then every item is answered, none written twice
    assert response.status_code == 200, response.text
    assert [item["status"] for item in response.json()["items"]] == [201] * OPERATIONS
    assert Product.objects.filter(sku__startswith="KILL-").count() == OPERATIONS
    ids = list(Product.objects.filter(sku__startswith="KILL-").values_list("id", flat=True))
    assert OutboxEntry.objects.filter(product_id__in=ids).count() == OPERATIONS

    # and the worker indexes every product once, at version 1
    def indexed() -> int:
        refresh()
        return get_client().count(index=search_index, query={"prefix": {"sku": "KILL-"}})["count"]

    assert wait_until(lambda: indexed() == OPERATIONS, timeout=60)
    versions = {
        hit["_source"]["version"]
        for hit in get_client().search(
            index=search_index, query={"prefix": {"sku": "KILL-"}}, size=OPERATIONS, source=["version"]
        )["hits"]["hits"]
    }
    assert versions == {1}
