"""Builds the read model: one denormalized document per product, from the write model's rows."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import QuerySet

from catalog.models import Category, Product, ProductTombstone


@dataclass(frozen=True)
class CategoryPlacement:
    slug: str
    name: str
    path: list[str]
    path_slugs: list[str]


def category_placements(categories: list[Category]) -> dict[int, CategoryPlacement]:
    """Every category's names and slugs from the root down to it, from one list of rows."""
    by_id = {category.pk: category for category in categories}
    placements: dict[int, CategoryPlacement] = {}
    for category in categories:
        chain, node = [], category
        while node is not None:
            chain.append(node)
            node = by_id.get(node.parent_id)
        chain.reverse()
        placements[category.pk] = CategoryPlacement(
            slug=category.slug,
            name=category.name,
            path=[node.name for node in chain],
            path_slugs=[node.slug for node in chain],
        )
    return placements


class ProductRow(NamedTuple):
    """The columns a product document is built from, read as plain tuples: a rebuild reads
    millions of rows, and model instances cost more than everything else done with them."""

    pk: int
    sku: str
    name: str
    description: str
    brand_slug: str | None
    brand_name: str | None
    category_id: int
    price: Decimal
    currency: str
    stock: int
    tags: list[str]
    attributes: dict[str, str]
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


_PRODUCT_ROW_COLUMNS = tuple(
    {"brand_slug": "brand__slug", "brand_name": "brand__name"}.get(name, name) for name in ProductRow._fields
)


def _product_rows(products: QuerySet[Product]) -> list[ProductRow]:
    return [ProductRow(*values) for values in products.values_list(*_PRODUCT_ROW_COLUMNS)]


def product_documents(products: QuerySet[Product], *, indexed_at: datetime) -> list[dict[str, Any]]:
    """The documents of `products`, from their rows and the category tree read *after* them.

    A category change bumps the version of every product below it in the same transaction, so
    a tree read after a row is at least as new as that row: a document never pairs a version
    with an older tree (which a later write of the same version could not correct). A tree
    newer than the row is harmless, since the bumped version follows. A row whose category is
    gone from the tree was moved (and bumped) meanwhile, so the rows are read again."""
    while True:
        rows = _product_rows(products)
        if not rows:
            return []
        placements = category_placements(list(Category.objects.all()))
        if all(row.category_id in placements for row in rows):
            return [
                build_product_document(row, placements[row.category_id], indexed_at=indexed_at)
                for row in rows
            ]


def build_product_document(
    product: ProductRow, placement: CategoryPlacement, *, indexed_at: datetime
) -> dict[str, Any]:
    return {
        "id": product.pk,
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
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
        "price": f"{product.price:.2f}",
        "price_cents": int(product.price * 100),
        "currency": product.currency,
        "stock": product.stock,
        "in_stock": product.stock > 0,
        "tags": list(product.tags),
        "attributes": dict(product.attributes),
        "is_active": product.is_active,
        "version": product.version,
        "created_at": product.created_at.isoformat(),
        "updated_at": product.updated_at.isoformat(),
        "indexed_at": indexed_at.isoformat(),
    }


def build_tombstone_document(tombstone: ProductTombstone, *, indexed_at: datetime) -> dict[str, Any]:
    """A deleted product stays in the index as a versioned marker that queries never return, so
    a stale write of an older version is rejected however late it arrives."""
    return {
        "id": tombstone.product_id,
        "sku": tombstone.sku,
        "deleted": True,
        "version": tombstone.version,
        "indexed_at": indexed_at.isoformat(),
    }
