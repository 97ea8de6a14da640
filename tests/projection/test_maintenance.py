"""`search_index rebuild | verify | status`, read-your-writes and /metrics."""

import random
import socket
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from catalog import services
from catalog.models import Product
from projection import drain, maintenance, reading
from projection.models import OutboxEntry
from search import index
from search.client import get_client
from tests import factories
from tests.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _outbox_drained() -> bool:
    return not OutboxEntry.objects.filter(state=OutboxEntry.State.PENDING).exists()


def test_rebuild_while_writes_continue_loses_nothing_and_swaps_the_alias(celery_worker, search_index):
    category = factories.category()
    products = [factories.product(category=category) for _ in range(300)]
    wait_until(_outbox_drained, timeout=20)
    stop = threading.Event()
    writes = 0

    def keep_writing() -> None:
        nonlocal writes
        rng = random.Random(7)
        try:
            while not stop.is_set():
                target = rng.choice(products)
                if rng.random() < 0.1 and Product.objects.filter(pk=target.pk).exists():
                    services.product_delete(product_id=target.pk)
                elif Product.objects.filter(pk=target.pk).exists():
                    services.product_update(product_id=target.pk, changes={"stock": rng.randint(0, 99)})
                else:
                    factories.product(category=category)
                writes += 1
        finally:
            connection.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        time.sleep(0.5)
        result = maintenance.rebuild()
        time.sleep(0.5)
    finally:
        stop.set()
        writer.join(timeout=30)

    assert writes > 20
    assert index.indices_behind_alias(get_client()) == [result["index"]]
    assert not get_client().indices.exists(index=search_index)  # the old index is gone
    wait_until(_outbox_drained, timeout=30)
    drift = maintenance.verify()
    assert (drift.missing, drift.stale, drift.drifted, drift.orphaned, drift.resurrected) == (
        [],
        [],
        [],
        [],
        [],
    )


def test_verify_reports_each_kind_of_drift_and_repair_fixes_it(search_index):
    kept, stale, missing, deleted = (factories.product() for _ in range(4))
    services.product_delete(product_id=deleted.pk)
    drain.drain_outbox()
    client = get_client()
    resurrected_document = {
        **reading.build_documents({kept.pk}, indexed_at=timezone.now())[kept.pk],
        "id": deleted.pk,
    }
    # drift behind the services' back:
    Product.objects.filter(pk=stale.pk).update(version=5)  # a QuerySet.update() bypasses the outbox
    client.delete(index=index.alias_name(), id=str(missing.pk), refresh=True)
    client.index(index=index.alias_name(), id="999999", document={**resurrected_document, "id": 999999})
    client.index(index=index.alias_name(), id=str(deleted.pk), document=resurrected_document)
    client.indices.refresh(index=index.alias_name())

    drift = maintenance.verify()
    assert (drift.missing, drift.stale, drift.orphaned, drift.resurrected) == (
        [missing.pk],
        [stale.pk],
        [999999],
        [deleted.pk],
    )

    maintenance.verify(repair=True)
    client.indices.refresh(index=index.alias_name())
    assert maintenance.verify().total == 0


def test_search_index_commands_report_status_and_verify(search_index, capsys):
    factories.product()
    drain.drain_outbox()
    call_command("search_index", "verify")  # refreshes the index, so status counts the document
    call_command("search_index", "status")
    out = capsys.readouterr().out
    assert '"documents": 1' in out and '"outbox_backlog": 0' in out
    assert '"missing": 0' in out


def test_read_your_writes_waits_for_the_version_the_command_returned(
    celery_worker, search_index, staff_api, api
):
    product = factories.product(name="Patient Product")
    wait_until(_outbox_drained, timeout=10)
    updated = staff_api.patch(f"/api/products/{product.pk}/", {"name": "Updated Product"}, format="json")
    version = updated.json()["version"]

    # the writer, signed in, waits for its write (anonymous readers never wait)
    response = staff_api.get(f"/api/products/{product.pk}/", {"min_version": version})

    assert response.status_code == 200
    assert response.json()["name"] == "Updated Product"

    never = api.get(f"/api/products/{product.pk}/", {"min_version": version + 10})
    assert never.status_code == 409
    assert never.json()["indexed_version"] == version


def test_metrics_expose_lag_backlog_dead_letters_and_drift(search_index, api):
    factories.product()
    drain.drain_outbox()
    text = api.get("/metrics").content.decode()
    for name in (
        "catalog_projection_lag_seconds_bucket",
        "catalog_projection_lag_seconds_count",
        "catalog_outbox_backlog",
        "catalog_outbox_oldest_pending_seconds",
        "catalog_outbox_dead_letters",
        "catalog_search_drift",
        "catalog_projection_bulk_requests_total",
    ):
        assert name in text, name


def test_create_rebuilds_an_index_left_by_an_older_mapping(search_index, capsys):
    # given the alias on an index an earlier release created (mapping v1, no variants)
    product = factories.product(name="Upgraded Lamp")
    client = get_client()
    index.delete_all_indices(client)
    old = f"{index.alias_name()}-v1-20260101000000000000"
    client.indices.create(index=old, mappings={"properties": {"id": {"type": "long"}}})
    client.indices.put_alias(index=old, name=index.alias_name())

    # when `make run` / `make seed` runs `search_index create`
    call_command("search_index", "create")

    # then the alias moved to a current index that holds the catalog, and the old one is gone
    (current,) = index.indices_behind_alias(client)
    assert index.mapping_version(current) == index.MAPPING_VERSION
    assert not client.indices.exists(index=old)
    assert (
        client.get(index=index.alias_name(), id=str(product.pk))["_source"]["variants"][0]["sku"]
        == product.sku
    )
    assert "older mapping" in capsys.readouterr().out


def test_verify_sees_content_that_differs_at_the_same_version_and_repair_replaces_it(search_index):
    # given an indexed product renamed behind the services' back (its version unchanged)
    product = factories.product(name="Brass Lamp")
    drain.drain_outbox()
    Product.objects.filter(pk=product.pk).update(name="Copper Lamp")

    # when verify compares MySQL and Elasticsearch
    drift = maintenance.verify()

    # then the document is reported as drifted, not as up to date
    assert drift.drifted == [product.pk] and drift.total == 1
    # and repair replaces it, at a new version, through the one version rule
    maintenance.verify(repair=True)
    get_client().indices.refresh(index=index.alias_name())
    held = get_client().get(index=index.alias_name(), id=str(product.pk))["_source"]
    assert (held["name"], held["version"]) == ("Copper Lamp", 2)
    assert Product.objects.get(pk=product.pk).version == 2
    assert maintenance.verify().total == 0


@pytest.mark.parametrize("action", ["create", "rebuild", "verify"])
def test_index_maintenance_with_elasticsearch_unreachable_says_so_in_one_line(settings, action):
    # given Elasticsearch unreachable (the client pointed at a port that refuses connections)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{port}"
    get_client.cache_clear()
    try:
        # when an operator runs a maintenance command (`make run` runs `create`)
        with pytest.raises(CommandError) as refused:
            call_command("search_index", action)
    finally:
        get_client.cache_clear()

    # then it fails with a message naming the cluster, not a client traceback
    assert str(refused.value).startswith(f"Elasticsearch (http://127.0.0.1:{port}) failed the {action}: ")
