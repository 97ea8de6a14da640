"""Bulk commands on real services: every product a bulk request stores reaches Elasticsearch at
the version its answer gave, and a deleted one leaves the read side."""

import pytest

from search import queries
from tests import factories
from tests.conftest import refresh, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_every_product_a_mixed_bulk_request_stores_becomes_searchable_at_its_version(
    celery_worker, search_index, staff_api
):
    # given a category and two products, indexed
    category = factories.category("Desks")
    kept = factories.product(sku="DESK-KEPT", category=category)
    doomed = factories.product(sku="DESK-DOOMED", category=category)
    wait_until(lambda: queries.indexed_state(product_id=doomed.pk), timeout=20)

    # when one request creates 30 products (two of them invalid), updates one and deletes one
    creates = [
        {
            "op": "create",
            "product": {
                "sku": f"DESK-{number}",
                "name": f"Standing desk {number}",
                "category": category.slug,
                "price": "-1" if number in (3, 17) else "199.00",
            },
        }
        for number in range(30)
    ]
    response = staff_api.post(
        "/api/products/bulk/",
        [
            *creates,
            {"op": "update", "id": kept.pk, "product": {"name": "Corner desk"}},
            {"op": "delete", "id": doomed.pk},
        ],
        format="json",
    )
    assert response.status_code == 200
    items = response.json()["items"]
    stored = [item for item in items if item["status"] < 400]
    assert len(stored) == 30 and sum(item["status"] == 400 for item in items) == 2

    # then every stored one is indexed at the version it was answered with, the deleted one as
    # a tombstone, and search finds the created ones
    def all_indexed() -> bool:
        states = {item["id"]: queries.indexed_state(product_id=item["id"]) for item in stored}
        return all(
            state and state["version"] == item["version"]
            for item, state in zip(stored, states.values(), strict=True)
        )

    wait_until(all_indexed, timeout=30)
    assert queries.indexed_state(product_id=doomed.pk)["deleted"] is True
    refresh()
    found = staff_api.get("/api/products/search/", {"q": "standing desk", "page_size": 50}).json()
    assert {hit["sku"] for hit in found["results"]} >= {
        item["sku"] for item in stored if item["op"] == "create"
    }
