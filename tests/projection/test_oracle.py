"""The fault suites' oracle (tests/projection/oracle.py) reports a document that differs from the
catalog in any one field, and agrees with the projection's builder on documents it builds right."""

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog import services
from catalog.models import Product
from projection import reading
from tests import factories
from tests.projection import oracle

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _catalog() -> oracle.Catalog:
    """The rows of a lamp with two active variants and an inactive one, in a category below
    another, and of a deleted product's tombstone."""

    def variant(number: int, size: str, price: int, stock: int, *, active: bool = True) -> dict:
        return {
            "id": number,
            "product_id": 7,
            "sku": f"LMP-{size}",
            "options": {"size": size},
            "price": Decimal(price),
            "compare_at_price": None,
            "stock": stock,
            "is_active": active,
        }

    return oracle.Catalog(
        products={
            7: {
                "id": 7,
                "sku": "LMP",
                "name": "Desk Lamp",
                "description": "A lamp.",
                "translations": {"de": {"name": "Tischlampe"}},
                "brand_id": 1,
                "category_id": 2,
                "price": Decimal("12.00"),
                "currency": "EUR",
                "stock": 7,
                "tags": ["new"],
                "attributes": {"color": "red", "watts": "40"},
                "is_active": True,
                "version": 4,
                "created_at": NOW,
                "updated_at": NOW,
            }
        },
        variants={
            7: [
                variant(1, "S", 15, 3),
                variant(2, "M", 12, 4),
                variant(3, "L", 9, 5, active=False),
            ]
        },
        brands={1: {"id": 1, "slug": "acme", "name": "Acme"}},
        categories={
            1: {"id": 1, "parent_id": None, "slug": "home", "name": "Home"},
            2: {"id": 2, "parent_id": 1, "slug": "lamps", "name": "Lamps"},
        },
        definitions={"watts": {"code": "watts", "type": "number", "filterable": True}},
        tombstones={9: {"product_id": 9, "sku": "GONE", "version": 3}},
    )


def _held(catalog: oracle.Catalog) -> dict[int, list[dict]]:
    return {product_id: [document] for product_id, document in oracle.expected_documents(catalog).items()}


def test_the_oracle_computes_what_a_user_sees_from_the_rows(settings):
    settings.CATALOG_LANGUAGES = ["en", "de"]

    lamp = oracle.expected_documents(_catalog())[7]

    assert lamp["brand"] == {"slug": "acme", "name": "Acme"}
    assert lamp["category"] == {
        "slug": "lamps",
        "name": "Lamps",
        "path": ["Home", "Lamps"],
        "path_slugs": ["home", "lamps"],
    }
    # the lowest price and the total stock of the active variants, the inactive one left out
    assert (lamp["price"], lamp["price_cents"], lamp["stock"], lamp["in_stock"]) == ("12.00", 1200, 7, True)
    assert [variant["sku"] for variant in lamp["variants"]] == ["LMP-S", "LMP-M"]
    assert lamp["variants"][0]["option_pairs"] == ["size=S"]
    assert lamp["attribute_values"] == [
        {"code": "color", "text": "red", "number": None, "filterable": False},
        {"code": "watts", "text": None, "number": 40.0, "filterable": True},
    ]
    assert lamp["translations"] == {
        "de": {"name": "Tischlampe", "name_sort": "Tischlampe", "name_sounds": ["TSXLMP"]}
    }


def test_documents_as_the_oracle_expects_them_count_nothing():
    catalog = _catalog()

    verdict = oracle.compare(_held(catalog), catalog)

    assert verdict.counts == dict.fromkeys(oracle.COUNTS, 0) and verdict.differences == []


@pytest.mark.parametrize(
    ("field", "wrong"),
    [
        ("brand", {"slug": "acme", "name": "Acme Old"}),
        ("price", "15.00"),
        ("stock", 12),
        ("category", {"slug": "lamps", "name": "Lamps", "path": ["Lamps"], "path_slugs": ["lamps"]}),
        ("version", 3),
        ("is_active", False),
    ],
)
def test_a_document_wrong_in_one_field_is_stale_and_the_field_named(field, wrong):
    catalog = _catalog()
    held = _held(catalog)
    held[7][0][field] = wrong

    verdict = oracle.compare(held, catalog)

    assert verdict.counts == dict.fromkeys(oracle.COUNTS, 0) | {"stale": 1}
    assert len(verdict.differences) == 1 and verdict.differences[0].startswith(f"product 7 {field}: held")


def test_a_wrong_variant_a_missing_field_and_an_extra_one_are_each_reported():
    catalog = _catalog()
    held = _held(catalog)
    held[7][0]["variants"][1]["price"] = "9.00"
    del held[7][0]["tags"]
    held[7][0]["deleted"] = False

    verdict = oracle.compare(held, catalog)

    assert verdict.counts["stale"] == 1
    assert [line.split(":")[0] for line in verdict.differences] == [
        "product 7 deleted",
        "product 7 tags",
        "product 7 variants",
    ]


def test_lost_resurrected_orphaned_and_duplicated_documents_are_counted():
    catalog = _catalog()
    held = _held(catalog)
    lamp = held.pop(7)[0]
    held[9] = [copy.deepcopy(lamp) | {"id": 9}]  # the deleted product live again
    held[11] = [copy.deepcopy(lamp) | {"id": 11}, copy.deepcopy(lamp) | {"id": 11}]  # never existed

    verdict = oracle.compare(held, catalog)

    assert verdict.counts == {"lost": 1, "stale": 0, "resurrected": 1, "orphaned": 1, "duplicated": 1}


@pytest.mark.django_db
def test_the_oracle_agrees_with_the_projection_on_the_documents_it_builds():
    services.attribute_create(code="watts", name="Watts", type="number")
    lamp = services.product_create(
        sku="LMP",
        name="Desk Lamp",
        variants=[
            {"sku": "LMP-S", "options": {"size": "S"}, "price": Decimal("15.50"), "stock": 2},
            {"sku": "LMP-M", "options": {"size": "M"}, "price": Decimal("12.25"), "stock": 0},
        ],
        brand=factories.brand(),
        category=factories.category(parent=factories.category()),
        tags=["new", "eco"],
        attributes={"watts": 40, "color": "red"},
        translations={"de": {"name": "Tischlampe", "description": "Eine Lampe."}},
    )
    services.variant_update(product_id=lamp.pk, sku="LMP-S", changes={"is_active": False})
    plain = factories.product()
    gone = factories.product()
    services.product_delete(product_id=gone.pk)
    catalog = oracle.read_catalog()

    built = reading.build_documents({lamp.pk, plain.pk, gone.pk}, indexed_at=timezone.now())

    assert set(built) == set(Product.objects.values_list("pk", flat=True)) | {gone.pk}
    verdict = oracle.compare({product_id: [document] for product_id, document in built.items()}, catalog)
    assert verdict.differences == [] and verdict.counts == dict.fromkeys(oracle.COUNTS, 0)
