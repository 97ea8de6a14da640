"""The whole path on real services: command → MySQL → outbox → Celery worker → Elasticsearch →
query API."""

import pytest
from django.db import transaction

from catalog import services, versions
from catalog.models import Product, ProductVariant
from projection.models import OutboxEntry
from search import queries
from tests import factories
from tests.conftest import refresh, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _indexed_version(product_id: int) -> int | None:
    state = queries.indexed_state(product_id=product_id)
    return state and state["version"]


def _search_ids(api, text: str) -> list[int]:
    refresh()
    return [hit["id"] for hit in api.get("/api/products/search/", {"q": text}).json()["results"]]


def test_created_updated_and_deleted_products_reach_get_and_search(
    celery_worker, search_index, staff_api, api
):
    # given a category, and a client holding the catalog permissions
    category = factories.category("Keyboards")

    # when a product is created through the API
    created = staff_api.post(
        "/api/products/",
        {
            "sku": "KB-1",
            "name": "Thunderclap Mechanical Keyboard",
            "category": category.slug,
            "price": "89.00",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    product_id = created.json()["id"]

    # then get and search return it
    wait_until(lambda: api.get(f"/api/products/{product_id}/").status_code == 200, timeout=5)
    assert api.get(f"/api/products/{product_id}/").json()["name"] == "Thunderclap Mechanical Keyboard"
    assert wait_until(lambda: product_id in _search_ids(api, "thunderclap"), timeout=5)

    # when it is renamed, both show the new name
    updated = staff_api.patch(
        f"/api/products/{product_id}/", {"name": "Lightning Mechanical Keyboard"}, format="json"
    )
    assert updated.status_code == 200
    assert updated.json()["version"] == 2
    wait_until(lambda: api.get(f"/api/products/{product_id}/").json()["version"] == 2, timeout=5)
    assert wait_until(lambda: product_id in _search_ids(api, "lightning"), timeout=5)
    assert product_id not in _search_ids(api, "thunderclap")

    # when it is deleted, get answers 404 and search no longer finds it
    assert staff_api.delete(f"/api/products/{product_id}/").status_code == 204
    wait_until(lambda: api.get(f"/api/products/{product_id}/").status_code == 404, timeout=5)
    assert wait_until(lambda: product_id not in _search_ids(api, "lightning"), timeout=5)


def test_a_rolled_back_transaction_enqueues_and_indexes_nothing(
    celery_worker, search_index, django_capture_on_commit_callbacks
):
    category = factories.category()
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        product = services.product_create(sku="ROLLED-1", name="Never Committed", category=category, price=1)
        raise RuntimeError("abort the command")
    assert callbacks == []
    assert not Product.objects.filter(sku="ROLLED-1").exists()
    assert not OutboxEntry.objects.filter(product_id=product.pk).exists()
    # a later commit is projected, and the rolled-back product never shows up
    later = factories.product(category=category)
    wait_until(lambda: _indexed_version(later.pk) == 1, timeout=5)
    assert _indexed_version(product.pk) is None


def test_a_task_for_a_product_whose_row_is_gone_removes_its_document(celery_worker, search_index, api):
    product = factories.product(name="Vanishing Lamp")
    wait_until(lambda: _indexed_version(product.pk) == 1, timeout=5)

    # a change for it is queued, as the admin re-index action would, and in the same
    # transaction the row disappears behind the services' back (no tombstone)
    with transaction.atomic():
        versions.announce(Product.objects.filter(pk=product.pk))
        ProductVariant.objects.filter(product_id=product.pk)._raw_delete(ProductVariant.objects.db)
        Product.objects.filter(pk=product.pk)._raw_delete(Product.objects.db)

    wait_until(lambda: _indexed_version(product.pk) is None, timeout=5)
    assert api.get(f"/api/products/{product.pk}/").status_code == 404
