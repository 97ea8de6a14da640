"""Draining the outbox: batching, retries with backoff, dead letters, outages and the relay."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from kombu.exceptions import OperationalError
from prometheus_client import generate_latest

from catalog import services, versions
from catalog.models import Category, Product
from config.celery import app as celery_app
from projection import drain, metrics, outbox
from projection.models import OutboxEntry
from search import documents, index, queries
from search.client import get_client
from tasks import projection as projection_tasks
from tests import factories
from tests.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _bulk_products(count: int, category: Category) -> None:
    Product.objects.bulk_create(
        [
            Product(sku=f"BURST-{n}", name=f"Burst Product {n}", category=category, price=n % 500)
            for n in range(count)
        ],
        batch_size=2000,
    )


def test_a_burst_of_10000_changes_is_indexed_in_far_fewer_bulk_requests(search_index, capsys):
    # given 10,000 committed changes waiting in the outbox
    _bulk_products(10_000, factories.category())
    changed = versions.bump(Product.objects.all())
    assert changed == 10_000

    # when the worker drains it
    result = drain.drain_outbox()

    # then every change is indexed, in batches
    assert result.indexed == 10_000
    assert result.bulk_requests <= 25
    assert not OutboxEntry.objects.filter(state=OutboxEntry.State.PENDING).exists()
    get_client().indices.refresh(index=search_index)
    assert get_client().count(index=search_index)["count"] == 10_000
    with capsys.disabled():
        print(
            f"\n10,000 changes -> {result.bulk_requests} bulk requests ({10_000 / result.bulk_requests:.0f}x)"
        )


@pytest.mark.parametrize(("changes", "batch_size", "claims"), [(2, 500, 1), (3, 2, 2)])
def test_a_drain_ends_with_a_batch_that_was_not_full(search_index, settings, changes, batch_size, claims):
    # given a few committed changes
    settings.PROJECTION_BATCH_SIZE = batch_size
    for _ in range(changes):
        factories.product()

    # when a worker drains them
    with CaptureQueriesContext(connection) as captured:
        result = drain.drain_outbox()

    # then all are indexed, and the drain stops claiming after the first batch that was not full
    # (a change committed later has its own drain request) rather than spend a transaction more
    assert result.indexed == changes
    assert sum("SKIP LOCKED" in query["sql"] for query in captured.captured_queries) == claims


@contextmanager
def _drain_requests() -> Iterator[list[str]]:
    """The drain requests sent, in place of the task layer's (which would publish them to a
    worker that may start a drain at any moment)."""
    sent: list[str] = []
    outbox.drain_requested.disconnect(dispatch_uid="tasks-enqueue-drain")
    try:
        outbox.drain_requested.connect(
            lambda **kwargs: sent.append("drain"), weak=False, dispatch_uid="counted"
        )
        yield sent
    finally:
        outbox.drain_requested.disconnect(dispatch_uid="counted")
        outbox.drain_requested.connect(projection_tasks.enqueue_drain, dispatch_uid="tasks-enqueue-drain")


def test_commits_while_a_drain_waits_to_start_send_no_other_request(search_index):
    # given no drain request waiting
    cache.delete(outbox.DRAIN_WAITING_KEY)
    with _drain_requests() as sent:
        # when three products are created before any drain starts
        products = [factories.product() for _ in range(3)]

        # then one request was sent: the drain it asks for claims all three
        assert sent == ["drain"]
        assert drain.drain_outbox().indexed == 3

        # and once that drain has started, the next commit asks again
        services.product_update(product_id=products[0].pk, changes={"stock": 7})
        assert sent == ["drain", "drain"]
        assert drain.drain_outbox().indexed == 1


def test_a_lingering_drain_takes_the_commits_made_while_it_waits_in_one_batch(search_index):
    # given a commit that requested a drain
    cache.delete(outbox.DRAIN_WAITING_KEY)
    with _drain_requests() as sent:
        first = factories.product()
        assert sent == ["drain"]

        # when that drain lingers a second before claiming, and two more commits come meanwhile
        outcome: dict[str, drain.DrainResult | BaseException] = {}

        def run_drain() -> None:
            try:
                outcome["result"] = drain.drain_outbox(linger=1.0)
            except BaseException as error:  # reported below, not lost with the thread
                outcome["result"] = error
            finally:
                connection.close()

        worker = threading.Thread(target=run_drain)
        worker.start()
        later = [factories.product(), factories.product()]
        worker.join(timeout=30)

    # then the drain indexed all three in one bulk request, and the later commits sent no request
    result = outcome["result"]
    assert isinstance(result, drain.DrainResult), result
    assert (result.indexed, result.bulk_requests) == (3, 1)
    assert sent == ["drain"]
    indexed = OutboxEntry.objects.filter(product_id__in=[first.pk, *(p.pk for p in later)], state="done")
    assert indexed.count() == 3


def test_with_the_cache_down_every_commit_still_requests_a_drain(search_index, caplog):
    with (
        _drain_requests() as sent,
        override_settings(
            CACHES={
                "default": {
                    "BACKEND": "shared.cache.RedisCache",
                    "LOCATION": "redis://127.0.0.1:1/0",
                }
            }
        ),
    ):
        for _ in range(2):
            factories.product()
    assert sent == ["drain", "drain"]
    assert "drain request not coalesced" in caplog.text  # the outage really happened


def test_a_drain_that_spends_its_budget_asks_for_another(search_index, settings):
    # given five changes and batches of two
    settings.PROJECTION_BATCH_SIZE = 2
    with _drain_requests() as sent:
        for _ in range(5):
            factories.product()
        sent.clear()

        # when a drain may claim two batches
        result = drain.drain_outbox(max_batches=2)

        # then it leaves one change, and asks for a drain that indexes it
        assert (result.indexed, sent) == (4, ["drain"])
        assert drain.drain_outbox().indexed == 1


def test_the_first_change_creates_the_index_when_none_is_behind_the_alias(search_index):
    # given no index at all (a fresh install, or the alias deleted)
    client = get_client()
    index.delete_all_indices(client)
    product = factories.product()

    # when the worker drains the change
    result = drain.drain_outbox()

    # then it creates a versioned index behind the alias and writes the change into it: the bulk
    # request's require_alias refused to create a bare index named like the alias
    assert (result.indexed, result.failed) == (1, 0)
    (created,) = index.indices_behind_alias(client)
    assert created != index.alias_name()
    assert queries.get_product(product_id=product.pk)["version"] == product.version


@override_settings(PROJECTION_MAX_ATTEMPTS=3)
def test_a_document_that_keeps_failing_is_parked_as_a_dead_letter_and_blocks_nothing(
    search_index, monkeypatch
):
    good = factories.product(name="Good Product")
    poisoned = factories.product(name="Poisoned Product")
    build = documents.build_product_document

    def build_with_a_mapping_error(product, placement, variants, **options):
        document = build(product, placement, variants, **options)
        if product.pk == poisoned.pk:
            document["not_in_the_mapping"] = "refused by the strict mapping"
        return document

    monkeypatch.setattr(documents, "build_product_document", build_with_a_mapping_error)

    first = drain.drain_outbox()
    assert (first.indexed, first.failed) == (1, 1)
    assert queries.get_product(product_id=good.pk) is not None
    entry = OutboxEntry.objects.get(product_id=poisoned.pk)
    assert entry.state == OutboxEntry.State.PENDING and entry.attempts == 1
    assert entry.available_at > timezone.now()  # backing off
    assert "strict_dynamic_mapping_exception" in entry.last_error

    for _ in range(2):  # let the backoff pass, twice
        OutboxEntry.objects.filter(pk=entry.pk).update(available_at=timezone.now())
        drain.drain_outbox()

    entry.refresh_from_db()
    assert entry.state == OutboxEntry.State.DEAD and entry.attempts == 3
    assert drain.drain_outbox().failed == 0  # parked: never retried in a loop
    scraped = generate_latest(metrics.registry).decode()
    assert "catalog_outbox_dead_letters 1.0" in scraped


@contextmanager
def elasticsearch_down(settings) -> Iterator[None]:
    """This process's client points where nothing listens, until the block ends."""
    running = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    get_client.cache_clear()
    try:
        yield
    finally:
        settings.ELASTICSEARCH_URL = running
        get_client.cache_clear()


def test_an_elasticsearch_outage_delays_changes_without_dead_lettering_them(search_index, settings):
    product = factories.product()
    with elasticsearch_down(settings):
        result = drain.drain_outbox()

    assert (
        result.retry_in is not None
        and result.retry_in <= settings.PROJECTION_OUTAGE_BACKOFF_CAP_SECONDS * 1.5
    )
    entry = OutboxEntry.objects.get(product_id=product.pk)
    assert entry.state == OutboxEntry.State.PENDING
    assert "unavailable" in entry.last_error

    OutboxEntry.objects.update(available_at=timezone.now())
    assert drain.drain_outbox().indexed == 1
    assert queries.get_product(product_id=product.pk) is not None


def test_changes_held_back_by_an_outage_resume_as_soon_as_elasticsearch_answers(search_index, settings):
    # given a change whose drain met Elasticsearch down, twice: it waits out a backoff
    product = factories.product()
    with elasticsearch_down(settings):
        for _ in range(2):
            OutboxEntry.objects.update(available_at=timezone.now())
            drain.drain_outbox()
        held = OutboxEntry.objects.get(product_id=product.pk)
        assert held.attempts == 2 and held.available_at > timezone.now()
        # while Elasticsearch is still down, the relay leaves it waiting
        assert drain.resume_after_outage() == 0
        assert OutboxEntry.objects.get(product_id=product.pk).available_at == held.available_at

    # when the relay runs with Elasticsearch back
    resumed = drain.resume_after_outage()

    # then the change is available at once, with its attempts reset, and the next drain indexes it
    entry = OutboxEntry.objects.get(product_id=product.pk)
    assert (resumed, entry.attempts) == (1, 0) and entry.available_at <= timezone.now()
    assert drain.drain_outbox().indexed == 1
    assert queries.get_product(product_id=product.pk) is not None
    # and a change held back by a document error keeps its backoff
    refused = factories.product()
    OutboxEntry.objects.filter(product_id=refused.pk).update(
        last_error="mapper_parsing_exception", available_at=timezone.now() + timedelta(minutes=5), attempts=3
    )
    assert drain.resume_after_outage() == 0


def test_a_change_whose_drain_request_was_lost_to_a_broker_outage_is_indexed_by_the_relay(
    search_index, celery_worker, staff_api, monkeypatch, settings
):
    # given the broker refuses the drain request sent after the commit
    cache.delete(outbox.DRAIN_WAITING_KEY)  # and no other request is waiting to start
    refused: list[str] = []
    with monkeypatch.context() as outage:

        def broker_down(name, *args, **kwargs):
            refused.append(name)
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        outage.setattr(celery_app, "send_task", broker_down)
        category = factories.category()
        response = staff_api.post(
            "/api/products/",
            {"sku": "RELAY-1", "name": "Relayed", "category": category.slug, "price": "1.00"},
            format="json",
        )

    # then the write still succeeded, its drain request was lost, and the change waits in the
    # outbox (not overdue yet: the relay leaves it to the request that may still be on its way)
    assert response.status_code == 201
    assert refused == [projection_tasks.drain_outbox.name]
    assert cache.get(outbox.DRAIN_WAITING_KEY) is None  # so the next commit asks again
    product_id = response.json()["id"]
    assert OutboxEntry.objects.filter(product_id=product_id, state="pending").exists()
    assert not outbox.relay_is_due()

    # when the broker is back, the change is overdue and beat runs the relay
    OutboxEntry.objects.update(
        available_at=timezone.now() - timedelta(seconds=settings.PROJECTION_RELAY_AFTER_SECONDS + 1)
    )
    assert outbox.relay_is_due()
    sent: list[str] = []
    send_task = celery_app.send_task

    def broker_up(name, *args, **kwargs):
        sent.append(name)
        return send_task(name, *args, **kwargs)

    monkeypatch.setattr(celery_app, "send_task", broker_up)
    projection_tasks.relay_outbox()

    # then the relay asked again, and the real worker indexed the change
    assert sent == [projection_tasks.drain_outbox.name]
    document = wait_until(lambda: queries.get_product(product_id=product_id), timeout=30)
    assert document["sku"] == "RELAY-1"
    assert not OutboxEntry.objects.filter(product_id=product_id, state="pending").exists()


def test_a_change_claimed_by_a_worker_that_died_is_taken_over_when_the_lease_ends(search_index):
    product = factories.product()
    claimed = outbox.claim_batch()
    assert [entry.product_id for entry in claimed] == [product.pk]
    assert drain.drain_outbox().indexed == 0  # still leased to the "dead" worker

    OutboxEntry.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert outbox.relay_is_due()
    assert drain.drain_outbox().indexed == 1


def test_rejected_commands_leave_no_outbox_row(staff_api):
    category = factories.category()
    staff_api.post(
        "/api/products/",
        {"sku": "bad sku", "name": "x", "category": category.slug, "price": "1"},
        format="json",
    )
    product = factories.product()
    before = OutboxEntry.objects.count()
    staff_api.patch(f"/api/products/{product.pk}/", {"price": "-5"}, format="json")
    staff_api.patch(f"/api/products/{product.pk}/", {"stock": 3}, format="json", HTTP_IF_MATCH='"9"')
    assert OutboxEntry.objects.count() == before
    assert services.product_update(product_id=product.pk, changes={"stock": 4}).version == 2
