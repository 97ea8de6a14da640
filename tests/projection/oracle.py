"""An oracle for the read side, written apart from the projection: what each product's document
must hold, computed from MySQL's rows read with the ORM, by the contract that search.document
and the README state (price and stock summed up from the active variants, the category's path
from the root down, attribute values typed by their definitions, ...), and the comparison of
those documents with the ones Elasticsearch holds.

It imports nothing of projection.reading or search.documents on purpose: an audit that built its
expected documents with the projection's own builder could not see a bug in that builder.
"""

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import jellyfish
import orjson
from django.conf import settings

from catalog.models import AttributeDefinition, Brand, Category, Product, ProductTombstone, ProductVariant

COUNTS = ("lost", "stale", "resurrected", "orphaned", "duplicated")
# Written at each indexing, so never the same twice: not part of what the oracle predicts.
UNPREDICTABLE = frozenset({"indexed_at"})
_ABSENT = object()


@dataclass
class Verdict:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    # One line per field that differs, e.g. "product 12 brand: held {...}, expected {...}".
    differences: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Catalog:
    """The write model's rows the documents follow from, as plain dicts keyed by id."""

    products: dict[int, dict[str, Any]]
    variants: dict[int, list[dict[str, Any]]]
    brands: dict[int, dict[str, Any]]
    categories: dict[int, dict[str, Any]]
    definitions: dict[str, dict[str, Any]]
    tombstones: dict[int, dict[str, Any]]


def read_catalog() -> Catalog:
    variants: dict[int, list[dict[str, Any]]] = {}
    for variant in ProductVariant.objects.order_by("id").values():
        variants.setdefault(variant["product_id"], []).append(variant)
    return Catalog(
        products={row["id"]: row for row in Product.objects.values()},
        variants=variants,
        brands={row["id"]: row for row in Brand.objects.values()},
        categories={row["id"]: row for row in Category.objects.values()},
        definitions={row["code"]: row for row in AttributeDefinition.objects.values()},
        tombstones={row["product_id"]: row for row in ProductTombstone.objects.values()},
    )


def expected_documents(catalog: Catalog) -> dict[int, dict[str, Any]]:
    """Each product's document, and each deleted product's tombstone."""
    expected = {
        tombstone["product_id"]: {
            "id": tombstone["product_id"],
            "sku": tombstone["sku"],
            "deleted": True,
            "version": tombstone["version"],
        }
        for tombstone in catalog.tombstones.values()
    }
    for product_id, product in catalog.products.items():
        expected[product_id] = product_document(product, catalog)
    return expected


def product_document(product: dict[str, Any], catalog: Catalog) -> dict[str, Any]:
    variants = catalog.variants.get(product["id"], [])
    active = [variant for variant in variants if variant["is_active"]]
    # The lowest price of the active variants (of all, when none is active); their total stock.
    price = min(variant["price"] for variant in active or variants)
    stock = sum(variant["stock"] for variant in active)
    brand = catalog.brands.get(product["brand_id"])
    chain = [catalog.categories[product["category_id"]]]
    while chain[-1]["parent_id"] is not None:
        chain.append(catalog.categories[chain[-1]["parent_id"]])
    chain.reverse()
    document = {
        "id": product["id"],
        "sku": product["sku"],
        "name": product["name"],
        "name_sounds": _sounds(product["name"]),
        "description": product["description"],
        "translations": {
            language: _translation(product, language) for language in settings.CATALOG_LANGUAGES[1:]
        },
        "brand": None if brand is None else {"slug": brand["slug"], "name": brand["name"]},
        "category": {
            "slug": chain[-1]["slug"],
            "name": chain[-1]["name"],
            "path": [category["name"] for category in chain],
            "path_slugs": [category["slug"] for category in chain],
        },
        "price": _money(price),
        "price_cents": _cents(price),
        "currency": product["currency"],
        "stock": stock,
        "in_stock": stock > 0,
        "variants": [_variant(variant) for variant in active],
        "tags": product["tags"],
        "attributes": product["attributes"],
        "attribute_values": [
            _attribute_value(code, value, catalog.definitions.get(code))
            for code, value in product["attributes"].items()
        ],
        "attribute_text": [
            str(value)
            for code, value in product["attributes"].items()
            if catalog.definitions.get(code, {}).get("searchable")
        ],
        "is_active": product["is_active"],
        "version": product["version"],
        "created_at": product["created_at"].isoformat(),
        "updated_at": product["updated_at"].isoformat(),
    }
    document["content_hash"] = digest(document)
    return document


def digest(document: dict[str, Any]) -> str:
    """The content hash the document promises: over every field but indexed_at and itself."""
    content = {key: value for key, value in document.items() if key not in ("indexed_at", "content_hash")}
    return hashlib.blake2b(orjson.dumps(content, option=orjson.OPT_SORT_KEYS), digest_size=16).hexdigest()


def _translation(product: dict[str, Any], language: str) -> dict[str, str]:
    texts = product["translations"].get(language, {})
    shown = {name: texts[name] for name in ("name", "description") if texts.get(name)}
    sounds = {"name_sounds": _sounds(texts["name"])} if texts.get("name") else {}
    return shown | {"name_sort": texts.get("name") or product["name"]} | sounds


def _sounds(name: str) -> list[str]:
    """The Metaphone of each word of 4 letters or more (accents removed), less the s of a
    plural, of 2 letters or more, each once."""
    words = re.findall(
        r"[a-z]+", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    )
    keys = []
    for word in words:
        key = jellyfish.metaphone(word) if len(word) >= 4 else ""
        key = key[:-1] if word.endswith("s") and key.endswith("S") else key
        if len(key) >= 2 and key not in keys:
            keys.append(key)
    return keys


def _variant(variant: dict[str, Any]) -> dict[str, Any]:
    was = variant["compare_at_price"]
    return {
        "sku": variant["sku"],
        "options": variant["options"],
        "option_pairs": [f"{axis}={value}" for axis, value in sorted(variant["options"].items())],
        "price": _money(variant["price"]),
        "price_cents": _cents(variant["price"]),
        "compare_at_price": None if was is None else _money(was),
        "stock": variant["stock"],
        "in_stock": variant["stock"] > 0,
    }


def _attribute_value(code: str, value: Any, definition: dict[str, Any] | None) -> dict[str, Any]:
    """A number where the definition says number and the value reads as a finite one, else a
    text (true/false for a boolean); a facet only where the definition says filterable."""
    number = None
    if definition is not None and definition["type"] == "number" and not isinstance(value, bool):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        if number is not None and not math.isfinite(number):
            number = None
    if number is not None:
        text = None
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    filterable = definition is not None and definition["filterable"]
    return {"code": code, "text": text, "number": number, "filterable": filterable}


def _money(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


def _cents(amount: Decimal) -> int:
    return int(amount.quantize(Decimal("0.01")) * 100)


def compare(held: dict[int, list[dict[str, Any]]], catalog: Catalog) -> Verdict:
    """Every document Elasticsearch holds (by product id; more than one when several indices
    behind the alias hold it) against the oracle's: a product with a row and no document is
    lost, one whose document differs in any field stale, a deleted product with a live document
    resurrected, a live document of a product with neither row nor tombstone orphaned."""
    expected = expected_documents(catalog)
    verdict = Verdict()
    for product_id, documents in sorted(held.items()):
        verdict.counts["duplicated"] += len(documents) - 1
        document = documents[0]
        live = not document.get("deleted")
        if live and product_id in catalog.tombstones:
            verdict.counts["resurrected"] += 1
        elif live and product_id not in catalog.products:
            verdict.counts["orphaned"] += 1
        elif product_id in expected:
            differences = _differences(product_id, document, expected[product_id])
            verdict.counts["stale"] += bool(differences)
            verdict.differences += differences
    verdict.counts["lost"] = len(catalog.products.keys() - held.keys())
    return verdict


def _differences(product_id: int, held: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    return [
        f"product {product_id} {name}: held {held.get(name, '(none)')!r}, "
        f"expected {expected.get(name, '(none)')!r}"
        for name in sorted((held.keys() | expected.keys()) - UNPREDICTABLE)
        if held.get(name, _ABSENT) != expected.get(name, _ABSENT)
    ]
