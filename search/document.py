"""The product document, declared once: each field's name, its Elasticsearch mapping, the
API's type for it, and whether it is copied as is from the write model's column of that name.

The index mapping (search.index), the columns the projection reads and the values the builder
copies (search.documents), and the API's schema of a product (search.api.shapes) all follow
from this list; tests/search/test_document.py checks that the builder writes exactly these
fields. A new product field is declared here, on the model, and in the command serializer.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import languages

# Text in the default language (search.languages), which brand and category names are in too.
TEXT = {"type": "text", "analyzer": "catalog_text", "search_analyzer": "catalog_text_search"}
KEYWORD = {"type": "keyword", "normalizer": "catalog_keyword"}


@dataclass(frozen=True)
class DocumentField:
    name: str
    # The mapping, or a function of the settings that gives it (the configured languages).
    mapping: dict[str, Any] | Callable[[], dict[str, Any]]
    # The API's type of the value (a DRF field, for the OpenAPI schema); None: not in the API.
    api_type: Callable[[], serializers.Field] | None
    # The value is the write model's column of the same name, unchanged.
    copied: bool = False


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]})
class AttributeValueShape(serializers.JSONField):
    """An attribute's value: a text, a number or true/false, as its definition says."""


class BrandRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class CategoryRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    path = serializers.ListField(child=serializers.CharField(), help_text="Names from the root down.")


class VariantShape(serializers.Serializer):
    sku = serializers.CharField()
    options = serializers.DictField(child=serializers.CharField(), help_text='e.g. `{"size": "M"}`.')
    price = serializers.CharField(help_text='Two decimal places, e.g. "19.99".')
    compare_at_price = serializers.CharField(allow_null=True, help_text="The price before a reduction.")
    stock = serializers.IntegerField()
    in_stock = serializers.BooleanField()


def translations_mapping() -> dict[str, Any]:
    """One set of fields per language to translate into: the name (also unstemmed, by the starts
    of its words, for suggestions, and by how its words sound), the description, and for sorting
    the name shown in that language (the translation, else the default language's)."""
    return {
        "properties": {
            language: {
                "properties": {
                    "name": {
                        "type": "text",
                        "analyzer": languages.text_analyzer(language),
                        "search_analyzer": languages.text_search_analyzer(language),
                        "fields": {
                            "exact": {"type": "text", "analyzer": "catalog_exact"},
                            "prefix": {
                                "type": "text",
                                "analyzer": "catalog_prefix",
                                "search_analyzer": "catalog_exact",
                            },
                        },
                    },
                    "description": {
                        "type": "text",
                        "analyzer": languages.text_analyzer(language),
                        "search_analyzer": languages.text_search_analyzer(language),
                    },
                    "name_sort": KEYWORD,
                    # How the translated name's words sound (search.sounds), for did-you-mean.
                    "name_sounds": {"type": "keyword"},
                }
            }
            for language in languages.translated()
        }
    }


PRODUCT_DOCUMENT: tuple[DocumentField, ...] = (
    DocumentField("id", {"type": "long"}, serializers.IntegerField),
    DocumentField(
        "sku",
        {
            **KEYWORD,
            # Split at dashes and digits and whole again: "rel0033", "REL-0033", "rel 0033" and
            # "0033" all find REL-0033.
            "fields": {
                "text": {"type": "text", "analyzer": "catalog_parts", "search_analyzer": "catalog_exact"}
            },
        },
        serializers.CharField,
        copied=True,
    ),
    DocumentField(
        "name",
        {
            **TEXT,
            "fields": {
                "exact": {"type": "text", "analyzer": "catalog_exact"},
                "prefix": {"type": "text", "analyzer": "catalog_prefix", "search_analyzer": "catalog_exact"},
                # Compound and split words: "whisper keys" finds "WhisperKeys", "usbc" "USB-C".
                "parts": {"type": "text", "analyzer": "catalog_parts", "search_analyzer": "catalog_exact"},
                # ... and "wi fi" finds "Wifi": the query's words joined meet the name's word.
                "joined": {
                    "type": "text",
                    "analyzer": "catalog_exact",
                    "search_analyzer": "catalog_joined",
                },
                # ... and "powerbank" finds "Power Bank": a word of the query meets the name's
                # neighbouring words joined.
                "shingles": {
                    "type": "text",
                    "analyzer": "catalog_joined",
                    "search_analyzer": "catalog_exact",
                },
                "sort": KEYWORD,
            },
        },
        serializers.CharField,
        copied=True,
    ),
    # How the name's words sound (search.sounds): did-you-mean corrects "hedfones" by them.
    DocumentField("name_sounds", {"type": "keyword"}, None),
    DocumentField("description", TEXT, serializers.CharField, copied=True),
    # The name and description in the other languages; the API answers a product in the
    # language asked for, from these and the two above (search.queries).
    DocumentField("translations", translations_mapping, None),
    DocumentField(
        "brand",
        {
            "properties": {
                "slug": {"type": "keyword"},
                "name": {**TEXT, "fields": {"keyword": {"type": "keyword"}}},
            }
        },
        lambda: BrandRefSerializer(allow_null=True),
    ),
    DocumentField(
        "category",
        {
            "properties": {
                "slug": {"type": "keyword"},
                "name": {**TEXT, "fields": {"keyword": {"type": "keyword"}}},
                "path": TEXT,
                # For filtering by any ancestor; not part of the API's product.
                "path_slugs": {"type": "keyword"},
            }
        },
        CategoryRefSerializer,
    ),
    DocumentField(
        "price",
        {"type": "keyword", "index": False},
        lambda: serializers.CharField(help_text='Two decimal places, e.g. "19.99".'),
    ),
    # Prices as integers, for range filters, facets and sorting.
    DocumentField("price_cents", {"type": "long"}, None),
    DocumentField("currency", {"type": "keyword"}, serializers.CharField, copied=True),
    # The total of the active variants' stock (each an integer, so their sum may need more).
    DocumentField("stock", {"type": "long"}, serializers.IntegerField, copied=True),
    DocumentField("in_stock", {"type": "boolean"}, serializers.BooleanField),
    # The active variants, nested so that a filter on several options (or options and price)
    # matches a product only when one variant has all of them. Options are kept for output
    # only; `option_pairs` ("size=M") index them under one bounded field, whatever the axes.
    DocumentField(
        "variants",
        {
            "type": "nested",
            "properties": {
                "sku": KEYWORD,
                "options": {"type": "object", "enabled": False},
                "option_pairs": {"type": "keyword"},
                "price": {"type": "keyword", "index": False},
                "price_cents": {"type": "long"},
                "compare_at_price": {"type": "keyword", "index": False},
                "stock": {"type": "integer"},
                "in_stock": {"type": "boolean"},
            },
        },
        lambda: VariantShape(many=True),
    ),
    DocumentField(
        "tags",
        {**KEYWORD, "fields": {"text": TEXT}},
        lambda: serializers.ListField(child=serializers.CharField()),
        copied=True,
    ),
    DocumentField(
        "attributes",
        {"type": "flattened"},
        lambda: serializers.DictField(
            child=AttributeValueShape(), help_text="Code to value: a text, a number or true/false."
        ),
        copied=True,
    ),
    # Every attribute, typed by its definition (numbers for range filters), under four fields
    # however many attributes staff define: no mapping change for a new one.
    DocumentField(
        "attribute_values",
        {
            "type": "nested",
            "properties": {
                "code": {"type": "keyword"},
                "text": {"type": "keyword"},
                "number": {"type": "double"},
                "filterable": {"type": "boolean"},
            },
        },
        None,
    ),
    # The values of the attributes whose definitions say searchable, matched by the search text
    # (a material, a colour) as tags are.
    DocumentField("attribute_text", TEXT, None),
    DocumentField("is_active", {"type": "boolean"}, serializers.BooleanField, copied=True),
    DocumentField("version", {"type": "long"}, serializers.IntegerField, copied=True),
    DocumentField("created_at", {"type": "date"}, serializers.DateTimeField),
    DocumentField("updated_at", {"type": "date"}, serializers.DateTimeField),
    DocumentField("indexed_at", {"type": "date"}, serializers.DateTimeField),
    # A digest of everything above but indexed_at, so `verify` can tell a document that differs
    # from its row at the same version (a write that bypassed the services).
    DocumentField("content_hash", {"type": "keyword", "index": False, "doc_values": False}, None),
)

# A deleted product's tombstone carries only id, sku, version, indexed_at and this flag.
TOMBSTONE_FLAG = DocumentField("deleted", {"type": "boolean"}, None)

COPIED_COLUMNS = tuple(field.name for field in PRODUCT_DOCUMENT if field.copied)
# Document fields (and sub-fields) that exist for querying only: never part of an answer.
INTERNAL_FIELDS = frozenset(
    field.name for field in (*PRODUCT_DOCUMENT, TOMBSTONE_FLAG) if field.api_type is None
)
# Sub-fields of objects (and of each item of lists of objects) that exist for querying only.
INTERNAL_SUBFIELDS = {
    "category": frozenset({"path_slugs"}),
    "variants": frozenset({"price_cents", "option_pairs"}),
}


def option_pair(axis: str, value: str) -> str:
    """How a variant's option is indexed in `option_pairs`: one keyword per axis and value."""
    return f"{axis}={value}"


def split_option_pair(pair: str) -> tuple[str, str]:
    """The axis and value of an `option_pairs` keyword (axis names hold no "=")."""
    axis, value = pair.split("=", 1)
    return axis, value


def field_mapping(field: DocumentField) -> dict[str, Any]:
    return field.mapping() if callable(field.mapping) else field.mapping


def mappings() -> dict[str, Any]:
    return {
        "dynamic": "strict",
        # `search_index create` rebuilds an index made for other languages than the settings'.
        "_meta": {"languages": languages.configured()},
        "properties": {field.name: field_mapping(field) for field in (*PRODUCT_DOCUMENT, TOMBSTONE_FLAG)},
    }


def api_fields() -> dict[str, serializers.Field]:
    """The API's product, field by field, in the declared order."""
    return {field.name: field.api_type() for field in PRODUCT_DOCUMENT if field.api_type is not None}
