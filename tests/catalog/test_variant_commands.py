"""Products with variants over the REST API: variants in the product's commands (matched by
sku), one variant at a time under /variants/, the rules over the set of variants, and the one
version rule they all go through."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Product, ProductVariant
from projection.models import OutboxEntry
from tests import factories

pytestmark = pytest.mark.django_db

SHIRT_SIZES = [
    {"sku": "SHIRT-BLUE-M", "options": {"color": "blue", "size": "M"}, "price": "30.00", "stock": 4},
    {"sku": "SHIRT-RED-XXL", "options": {"color": "red", "size": "XXL"}, "price": "34.00", "stock": 0},
]


@pytest.fixture
def shirt(staff_api) -> dict:
    category = factories.category("Shirts")
    response = staff_api.post(
        "/api/products/",
        {"sku": "SHIRT", "name": "Oxford Shirt", "category": category.slug, "variants": SHIRT_SIZES},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_product_is_created_with_its_variants_and_sums_them_up(shirt):
    assert [variant["sku"] for variant in shirt["variants"]] == ["SHIRT-BLUE-M", "SHIRT-RED-XXL"]
    assert shirt["variants"][0]["options"] == {"color": "blue", "size": "M"}
    # the lowest active price and the total stock
    assert (shirt["price"], shirt["stock"]) == ("30.00", 4)
    assert OutboxEntry.objects.filter(product_id=shirt["id"], version=1).count() == 1


def test_a_product_created_the_old_way_gets_one_default_variant(staff_api):
    category = factories.category()
    response = staff_api.post(
        "/api/products/",
        {"sku": "LAMP-1", "name": "Lamp", "category": category.slug, "price": "19.90", "stock": 7},
        format="json",
    )

    assert response.status_code == 201
    product = response.json()
    assert (product["price"], product["stock"]) == ("19.90", 7)
    assert product["variants"] == [
        {
            "sku": "LAMP-1",
            "options": {},
            "price": "19.90",
            "compare_at_price": None,
            "stock": 7,
            "is_active": True,
        }
    ]
    # and a price change the old way changes that variant, in one new version
    changed = staff_api.patch(f"/api/products/{product['id']}/", {"price": "17.50"}, format="json")
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    assert ProductVariant.objects.get(sku="LAMP-1").price == Decimal("17.50")


def test_patch_matches_variants_by_sku_and_put_removes_those_left_out(staff_api, shirt):
    url = f"/api/products/{shirt['id']}/"
    with CaptureQueriesContext(connection) as queries:
        patched = staff_api.patch(
            url,
            {"variants": [{"sku": "SHIRT-RED-XXL", "stock": 6}, {"sku": "SHIRT-BLUE-L", **_blue("L")}]},
            format="json",
        )
    assert patched.status_code == 200, patched.json()
    # answered with the variants as stored, in their order, without reading them again
    stored = ProductVariant.objects.filter(product_id=shirt["id"])
    assert [(v["sku"], v["stock"]) for v in patched.json()["variants"]] == [(v.sku, v.stock) for v in stored]
    assert sorted(v["sku"] for v in patched.json()["variants"]) == [
        "SHIRT-BLUE-L",
        "SHIRT-BLUE-M",
        "SHIRT-RED-XXL",
    ]
    variant_reads = [
        query for query in queries if query["sql"].startswith("SELECT") and "productvariant" in query["sql"]
    ]
    assert len(variant_reads) == 1, variant_reads
    assert patched.json()["stock"] == 4 + 6 + 2
    assert patched["ETag"] == '"2"'

    replaced = staff_api.put(
        url,
        {"sku": "SHIRT", "name": "Oxford Shirt", "category": "shirts", "variants": [SHIRT_SIZES[0]]},
        format="json",
    )
    assert replaced.status_code == 200, replaced.json()
    assert [v["sku"] for v in replaced.json()["variants"]] == ["SHIRT-BLUE-M"]
    assert replaced["ETag"] == '"3"'
    assert not ProductVariant.objects.filter(sku__in=["SHIRT-BLUE-L", "SHIRT-RED-XXL"]).exists()


def _blue(size: str) -> dict:
    return {"options": {"color": "blue", "size": size}, "price": "31.00", "stock": 2}


@pytest.mark.parametrize(
    ("variants", "reason"),
    [
        ([SHIRT_SIZES[0], {**SHIRT_SIZES[1], "options": {"color": "blue", "size": "M"}}], "same options"),
        ([SHIRT_SIZES[0], {**SHIRT_SIZES[1], "options": {"color": "red"}}], "same options (e.g."),
        ([SHIRT_SIZES[0], {**SHIRT_SIZES[1], "sku": "SHIRT-BLUE-M"}], "given twice"),
        ([], "1 to 100 variants"),
        ([{**SHIRT_SIZES[0], "options": {"Size!": "M"}}], "Option name"),
        ([{**SHIRT_SIZES[0], "price": "-1"}], "greater than or equal to 0"),
    ],
)
def test_a_bad_set_of_variants_is_a_400_that_names_the_reason_and_stores_nothing(staff_api, variants, reason):
    category = factories.category()
    response = staff_api.post(
        "/api/products/",
        {"sku": "BAD", "name": "Bad", "category": category.slug, "variants": variants},
        format="json",
    )

    assert response.status_code == 400
    assert reason in str(response.json()["variants"])
    assert not Product.objects.filter(sku="BAD").exists()
    assert not ProductVariant.objects.exists()


def test_a_variant_sku_is_unique_across_the_catalog(staff_api, shirt):
    category = factories.category()
    response = staff_api.post(
        "/api/products/",
        {"sku": "OTHER", "name": "Other", "category": category.slug, "variants": [SHIRT_SIZES[0]]},
        format="json",
    )

    assert response.status_code == 400
    assert "SHIRT-BLUE-M" in str(response.json()["variants"]) and "already exists" in str(response.json())


def test_price_on_a_product_with_several_variants_is_refused(staff_api, shirt):
    url = f"/api/products/{shirt['id']}/"
    response = staff_api.patch(url, {"price": "10.00"}, format="json")

    assert response.status_code == 400
    assert "2 variants" in response.json()["price"][0]
    # a replacement that leaves the variants out would not know which to keep
    replaced = staff_api.put(url, {"sku": "SHIRT", "name": "Shirt", "category": "shirts"}, format="json")
    assert replaced.status_code == 400
    assert "a replacement lists them" in replaced.json()["variants"][0]
    assert Product.objects.get(pk=shirt["id"]).version == 1


def test_one_variant_at_a_time_moves_the_product_version(staff_api, shirt):
    url = f"/api/products/{shirt['id']}/variants/"

    added = staff_api.post(url, {"sku": "SHIRT-BLUE-S", **_blue("S")}, format="json", HTTP_IF_MATCH='"1"')
    assert added.status_code == 201, added.json()
    assert added["ETag"] == '"2"'

    patched = staff_api.patch(f"{url}SHIRT-BLUE-S/", {"price": "25.00"}, format="json")
    assert patched.status_code == 200 and patched.json()["price"] == "25.00"
    assert patched["ETag"] == '"3"'
    assert Product.objects.get(pk=shirt["id"]).price == Decimal("25.00")  # now the lowest

    stale = staff_api.delete(f"{url}SHIRT-BLUE-S/", HTTP_IF_MATCH='"2"')
    assert stale.status_code == 412

    assert staff_api.delete(f"{url}SHIRT-BLUE-S/").status_code == 204
    assert staff_api.patch(f"{url}SHIRT-NOPE/", {"stock": 1}, format="json").status_code == 404
    assert Product.objects.get(pk=shirt["id"]).version == 4
    assert list(OutboxEntry.objects.filter(product_id=shirt["id"]).values_list("version", flat=True)) == [
        1,
        2,
        3,
        4,
    ]


def test_the_last_variant_cannot_be_removed(staff_api):
    product = factories.product(sku="SOLO")

    response = staff_api.delete(f"/api/products/{product.pk}/variants/SOLO/")

    assert response.status_code == 400
    assert "1 to 100 variants" in str(response.json())


def test_variant_commands_need_the_change_permission(api, staff_api, shirt):
    url = f"/api/products/{shirt['id']}/variants/"
    viewer = factories.user("catalog.add_product")
    api.force_authenticate(viewer)

    assert api.post(url, {"sku": "X-1", **_blue("S")}, format="json").status_code == 403
    assert api.delete(f"{url}SHIRT-BLUE-M/").status_code == 403
