"""`POST /api/products/inventory/`: price and stock of many variants by sku in one request, the
summary of their products, and one new version per product changed."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog import services
from catalog.models import Product, ProductVariant
from projection.models import OutboxEntry
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/products/inventory/"


@pytest.fixture
def shirt():
    category = factories.category("Shirts")
    variants = [
        {"sku": "SHIRT-S", "options": {"size": "S"}, "price": "30.00", "stock": 4},
        {"sku": "SHIRT-M", "options": {"size": "M"}, "price": "32.00", "stock": 1},
    ]
    return services.product_create(sku="SHIRT", name="Oxford Shirt", category=category, variants=variants)


def test_price_and_stock_of_many_variants_change_and_their_products_sum_them_up(staff_api, shirt):
    # given a second product with its default variant
    lamp = factories.product(sku="LAMP", price=Decimal("10.00"), stock=5)

    # when an inventory feed changes both variants of the shirt, the lamp, and names an unknown sku
    response = staff_api.post(
        URL,
        [
            {"sku": "SHIRT-S", "price": "25.00"},
            {"sku": "SHIRT-M", "stock": 6, "compare_at_price": "40.00"},
            {"sku": "LAMP", "price": "10.00", "stock": 5},
            {"sku": "NOPE", "stock": 1},
            {"sku": "SHIRT-S", "stock": -1},
            {"sku": "LAMP"},
        ],
        format="json",
    )

    # then each item is answered, with its product's id and version
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(item["status"], item.get("result")) for item in items] == [
        (200, "updated"),
        (200, "updated"),
        (200, "noop"),
        (404, None),
        (400, None),
        (400, None),
    ]
    assert items[0] == {"sku": "SHIRT-S", "status": 200, "result": "updated", "id": shirt.pk, "version": 2}
    assert items[1]["version"] == 2 and items[2]["version"] == 1
    assert "stock" in items[4]["error"] and "non_field_errors" in items[5]["error"]

    # and the shirt holds the new values and their summary, at one new version with one outbox row
    shirt.refresh_from_db()
    assert (shirt.price, shirt.stock, shirt.version) == (Decimal("25.00"), 10, 2)
    assert ProductVariant.objects.get(sku="SHIRT-M").compare_at_price == Decimal("40.00")
    assert OutboxEntry.objects.filter(product_id=shirt.pk, version=2).count() == 1
    assert Product.objects.get(pk=lamp.pk).version == 1  # the same values: no new version


def test_a_chunk_costs_a_few_statements_whatever_its_size(staff_api):
    # given 50 products
    products = [factories.product(sku=f"INV-{number}") for number in range(50)]

    # when the stock of all of them changes in one request
    body = [{"sku": product.sku, "stock": 100} for product in products]
    with CaptureQueriesContext(connection) as queries:
        response = staff_api.post(URL, body, format="json")

    # then every one is updated, and the write side spent a bounded number of statements
    assert {item["result"] for item in response.json()["items"]} == {"updated"}
    assert Product.objects.filter(stock=100).count() == 50
    writes = [query for query in queries if not query["sql"].startswith(("SELECT", "SAVEPOINT", "RELEASE"))]
    assert len(writes) <= 6, [query["sql"][:80] for query in writes]


def test_a_sku_named_twice_is_refused_the_second_time(staff_api, shirt):
    response = staff_api.post(
        URL, [{"sku": "SHIRT-S", "stock": 1}, {"sku": "SHIRT-S", "stock": 2}], format="json"
    )
    assert [item["status"] for item in response.json()["items"]] == [200, 409]
    assert ProductVariant.objects.get(sku="SHIRT-S").stock == 1


def test_inventory_needs_the_change_permission(shirt):
    body = [{"sku": "SHIRT-S", "stock": 1}]
    assert APIClient().post(URL, body, format="json").status_code == 401
    adder = APIClient()
    adder.force_authenticate(factories.user("catalog.add_product"))
    assert adder.post(URL, body, format="json").status_code == 403
    changer = APIClient()
    changer.force_authenticate(factories.user("catalog.change_product"))
    assert changer.post(URL, body, format="json").status_code == 200
