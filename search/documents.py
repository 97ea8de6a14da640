"""Builds the read model: one denormalized document per product (declared in search.document),
from plain rows of the write model (the projection reads them; nothing here touches the
database)."""

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

import orjson

from . import languages, sounds
from .document import PRODUCT_DOCUMENT, option_pair


class CategoryRow(NamedTuple):
    pk: int
    parent_id: int | None
    slug: str
    name: str


@dataclass(frozen=True)
class CategoryPlacement:
    slug: str
    name: str
    path: list[str]
    path_slugs: list[str]


def category_placements(categories: Iterable[CategoryRow]) -> dict[int, CategoryPlacement]:
    """Every category's names and slugs from the root down to it, from one list of rows."""
    by_id = {category.pk: category for category in categories}
    placements: dict[int, CategoryPlacement] = {}
    for category in by_id.values():
        chain: list[CategoryRow] = []
        node: CategoryRow | None = category
        while node is not None:
            chain.append(node)
            node = by_id.get(node.parent_id) if node.parent_id is not None else None
        chain.reverse()
        placements[category.pk] = CategoryPlacement(
            slug=category.slug,
            name=category.name,
            path=[node.name for node in chain],
            path_slugs=[node.slug for node in chain],
        )
    return placements


class ProductRow(NamedTuple):
    """The write model's columns a product document is built from, by the names the builder
    uses: the declared document's copied columns (COPIED_COLUMNS; a test checks that every one
    is here), and those its other fields are computed from. Rows are plain tuples: a rebuild
    reads millions of them, and model instances cost more than everything else done with them."""

    sku: str
    name: str
    description: str
    currency: str
    stock: int
    tags: list[str]
    attributes: dict[str, Any]
    is_active: bool
    version: int
    pk: int
    brand_slug: str | None
    brand_name: str | None
    category_id: int
    translations: dict[str, dict[str, str]]
    price: Decimal
    created_at: datetime
    updated_at: datetime


# Each row column's lookup in the write model's query, where it differs from its name.
_ROW_LOOKUPS = {"brand_slug": "brand__slug", "brand_name": "brand__name"}
ROW_COLUMNS: dict[str, str] = {name: _ROW_LOOKUPS.get(name, name) for name in ProductRow._fields}


class VariantRow(NamedTuple):
    """An active variant of a product (inactive ones are not indexed)."""

    product_id: int
    sku: str
    options: dict[str, str]
    price: Decimal
    compare_at_price: Decimal | None
    stock: int


class AttributeType(NamedTuple):
    """How a defined attribute's values are indexed: by type, and whether they are a facet."""

    code: str
    type: str
    filterable: bool
    searchable: bool


class TombstoneRow(NamedTuple):
    pk: int
    sku: str
    version: int


def build_product_document(
    product: ProductRow,
    placement: CategoryPlacement,
    variants: list[VariantRow],
    *,
    attribute_types: dict[str, AttributeType],
    indexed_at: datetime,
) -> dict[str, Any]:
    computed = {
        "id": product.pk,
        "brand": (
            {"slug": product.brand_slug, "name": product.brand_name}
            if product.brand_slug is not None
            else None
        ),
        "category": {
            "slug": placement.slug,
            "name": placement.name,
            "path": placement.path,
            "path_slugs": placement.path_slugs,
        },
        "name_sounds": sounds.keys(product.name),
        "translations": _translations(product),
        "price": f"{product.price:.2f}",
        "price_cents": int(product.price * 100),
        "in_stock": product.stock > 0,
        "variants": [_variant_document(variant) for variant in variants],
        "attribute_values": [
            _attribute_value(code, value, attribute_types.get(code))
            for code, value in product.attributes.items()
        ],
        "attribute_text": [
            str(value)
            for code, value in product.attributes.items()
            if (kind := attribute_types.get(code)) is not None and kind.searchable
        ],
        "created_at": product.created_at.isoformat(),
        "updated_at": product.updated_at.isoformat(),
        "indexed_at": indexed_at.isoformat(),
    }
    document = {
        field.name: getattr(product, field.name) if field.copied else computed[field.name]
        for field in PRODUCT_DOCUMENT
        if field.name != "content_hash"
    }
    document["content_hash"] = content_hash(document)
    return document


def content_hash(document: dict[str, Any]) -> str:
    """The digest of a product document's content: every field but indexed_at and itself."""
    content = {key: value for key, value in document.items() if key not in ("indexed_at", "content_hash")}
    return hashlib.blake2b(orjson.dumps(content, option=orjson.OPT_SORT_KEYS), digest_size=16).hexdigest()


def _translations(product: ProductRow) -> dict[str, dict[str, Any]]:
    """The texts of each language to translate into (a language the settings no longer list is
    left out), how a translated name sounds, and the name shown in the language, for sorting:
    its translation, else the default's."""
    translated = {}
    for language in languages.translated():
        texts = product.translations.get(language, {})
        translated[language] = {
            **{field: texts[field] for field in ("name", "description") if texts.get(field)},
            "name_sort": texts.get("name") or product.name,
            **({"name_sounds": sounds.keys(texts["name"])} if texts.get("name") else {}),
        }
    return translated


def _attribute_value(code: str, value: Any, kind: AttributeType | None) -> dict[str, Any]:
    """One attribute, typed for filters and facets: a number where its definition says number
    (a text written before the definition, such as "15.6", counts if it reads as one), else a
    keyword; a facet only where its definition says filterable."""
    number = _as_number(value) if kind is not None and kind.type == "number" else None
    text = None if number is not None else str(value).lower() if isinstance(value, bool) else str(value)
    return {"code": code, "text": text, "number": number, "filterable": bool(kind and kind.filterable)}


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _variant_document(variant: VariantRow) -> dict[str, Any]:
    return {
        "sku": variant.sku,
        "options": variant.options,
        "option_pairs": [option_pair(axis, value) for axis, value in sorted(variant.options.items())],
        "price": f"{variant.price:.2f}",
        "price_cents": int(variant.price * 100),
        "compare_at_price": None if variant.compare_at_price is None else f"{variant.compare_at_price:.2f}",
        "stock": variant.stock,
        "in_stock": variant.stock > 0,
    }


def build_tombstone_document(tombstone: TombstoneRow, *, indexed_at: datetime) -> dict[str, Any]:
    """A deleted product stays in the index as a versioned marker that queries never return, so
    a stale write of an older version is rejected however late it arrives."""
    return {
        "id": tombstone.pk,
        "sku": tombstone.sku,
        "deleted": True,
        "version": tombstone.version,
        "indexed_at": indexed_at.isoformat(),
    }
