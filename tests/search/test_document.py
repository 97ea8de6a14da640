"""The declared product document (search.document) is the one shape of a product: the builder
writes exactly its fields, the index maps exactly them, and the API describes exactly its
public ones."""

from datetime import UTC, datetime
from decimal import Decimal

from search import document, queries, sounds
from search.api.shapes import ProductDocumentSerializer
from search.documents import (
    ROW_COLUMNS,
    CategoryPlacement,
    ProductRow,
    VariantRow,
    build_product_document,
)

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _row(**overrides) -> ProductRow:
    values = {
        "sku": "LMP-1",
        "name": "Desk Lamp",
        "description": "A lamp.",
        "currency": "EUR",
        "stock": 3,
        "tags": ["new"],
        "attributes": {"color": "red"},
        "translations": {"de": {"name": "Schreibtischlampe"}},
        "is_active": True,
        "version": 4,
        "pk": 7,
        "brand_slug": "acme",
        "brand_name": "Acme",
        "category_id": 2,
        "price": Decimal("19.90"),
        "created_at": NOW,
        "updated_at": NOW,
    }
    return ProductRow(**{**values, **overrides})


VARIANTS = [
    VariantRow(
        product_id=7,
        sku="LMP-1-RED",
        options={"color": "red"},
        price=Decimal("19.90"),
        compare_at_price=None,
        stock=3,
    )
]
PLACEMENT = CategoryPlacement(
    slug="lamps", name="Lamps", path=["Home", "Lamps"], path_slugs=["home", "lamps"]
)


def test_the_builder_writes_exactly_the_declared_fields_in_their_order():
    built = build_product_document(_row(), PLACEMENT, VARIANTS, attribute_types={}, indexed_at=NOW)

    assert list(built) == [field.name for field in document.PRODUCT_DOCUMENT]
    for field in document.PRODUCT_DOCUMENT:
        nested = document.field_mapping(field).get("properties")
        value = built[field.name]
        for item in value if isinstance(value, list) else [value]:
            if nested and item is not None:
                assert set(item) == set(nested), field.name


def test_copied_fields_are_the_write_model_columns_unchanged():
    built = build_product_document(_row(), PLACEMENT, VARIANTS, attribute_types={}, indexed_at=NOW)

    assert {name: built[name] for name in document.COPIED_COLUMNS} == {
        name: getattr(_row(), name) for name in document.COPIED_COLUMNS
    }
    assert set(document.COPIED_COLUMNS) <= set(ROW_COLUMNS)


def test_computed_fields_are_derived_from_the_row():
    built = build_product_document(
        _row(stock=0, brand_slug=None, brand_name=None), PLACEMENT, [], attribute_types={}, indexed_at=NOW
    )

    assert built["price"] == "19.90" and built["price_cents"] == 1990
    assert built["in_stock"] is False
    assert built["brand"] is None
    assert built["category"]["path"] == ["Home", "Lamps"]


def test_the_index_maps_every_declared_field_and_nothing_else():
    mappings = document.mappings()
    assert set(mappings["properties"]) == {field.name for field in document.PRODUCT_DOCUMENT} | {"deleted"}
    assert mappings["dynamic"] == "strict"


def test_the_mapping_has_one_field_set_per_language_to_translate_into(settings):
    assert set(document.mappings()["properties"]["translations"]["properties"]) == {"de", "fr"}
    assert document.mappings()["_meta"] == {"languages": ["en", "de", "fr"]}

    settings.CATALOG_LANGUAGES = ["en", "de", "fr", "es", "it"]
    translations = document.mappings()["properties"]["translations"]["properties"]
    assert set(translations) == {"de", "fr", "es", "it"}
    assert translations["es"]["properties"]["name"]["analyzer"] == "catalog_text_es"
    assert set(translations["es"]["properties"]) == {"name", "description", "name_sort", "name_sounds"}

    settings.CATALOG_LANGUAGES = ["en"]
    assert document.mappings()["properties"]["translations"] == {"properties": {}}


def test_the_builder_writes_every_language_with_the_name_shown_in_it():
    built = build_product_document(_row(), PLACEMENT, VARIANTS, attribute_types={}, indexed_at=NOW)

    assert built["translations"] == {
        "de": {
            "name": "Schreibtischlampe",
            "name_sort": "Schreibtischlampe",
            "name_sounds": sounds.keys("Schreibtischlampe"),
        },
        "fr": {"name_sort": "Desk Lamp"},
    }


def test_fields_without_an_api_type_are_the_internal_ones():
    assert {
        "price_cents",
        "name_sounds",
        "translations",
        "attribute_values",
        "attribute_text",
        "content_hash",
        "deleted",
    } == document.INTERNAL_FIELDS
    assert "price_cents" not in document.api_fields()
    assert list(document.api_fields())[:3] == ["id", "sku", "name"]


def test_the_api_schema_describes_exactly_what_a_built_document_shows():
    built = build_product_document(_row(), PLACEMENT, VARIANTS, attribute_types={}, indexed_at=NOW)
    shown = queries._public(built, "de")

    schema_fields = ProductDocumentSerializer().fields
    assert list(schema_fields) == list(shown)
    assert set(schema_fields["category"].fields) == set(shown["category"])
    assert set(schema_fields["brand"].fields) == set(shown["brand"])
    assert set(schema_fields["variants"].child.fields) == set(shown["variants"][0])


def test_the_content_hash_follows_the_content_but_not_the_indexing_time():
    built = build_product_document(_row(), PLACEMENT, VARIANTS, attribute_types={}, indexed_at=NOW)
    later = build_product_document(
        _row(), PLACEMENT, VARIANTS, attribute_types={}, indexed_at=datetime(2027, 1, 1, tzinfo=UTC)
    )
    renamed = build_product_document(
        _row(name="Floor Lamp"), PLACEMENT, VARIANTS, attribute_types={}, indexed_at=NOW
    )
    translated = build_product_document(
        _row(translations={"de": {"name": "Stehlampe"}}),
        PLACEMENT,
        VARIANTS,
        attribute_types={},
        indexed_at=NOW,
    )

    assert built["content_hash"] == later["content_hash"]
    assert built["content_hash"] != renamed["content_hash"]
    assert built["content_hash"] != translated["content_hash"]
