"""Reads the write model's rows as plain tuples and turns them into documents (search.documents
builds them; this module decides what is read, and in which order)."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from catalog.models import AttributeDefinition, Category, Product, ProductTombstone, ProductVariant
from search import documents
from search.documents import ROW_COLUMNS, AttributeType, CategoryRow, ProductRow, TombstoneRow, VariantRow


def product_documents(products: QuerySet[Product], *, indexed_at: datetime) -> list[dict[str, Any]]:
    """The documents of `products`, from their rows, then their variants and the category tree,
    and the attribute definitions, all read *after* the rows.

    A category change bumps the version of every product below it in the same transaction, so
    a tree read after a row is at least as new as that row: a document never pairs a version
    with an older tree (which a later write of the same version could not correct). A tree
    newer than the row is harmless, since the bumped version follows. A row whose category is
    gone from the tree was moved (and bumped) meanwhile, so the rows are read again. Variants
    and attribute definitions follow the same rule: a change of either bumps, in its own
    transaction, the products whose documents show it."""
    while True:
        rows = [ProductRow(*values) for values in products.values_list(*ROW_COLUMNS.values())]
        if not rows:
            return []
        variants: dict[int, list[VariantRow]] = {row.pk: [] for row in rows}
        for values in (
            ProductVariant.objects.filter(product_id__in=variants, is_active=True)
            .order_by("id")
            .values_list(*VariantRow._fields)
        ):
            variants[values[0]].append(VariantRow(*values))
        placements = documents.category_placements(
            CategoryRow(*values) for values in Category.objects.values_list(*CategoryRow._fields)
        )
        attribute_types = {
            values[0]: AttributeType(*values)
            for values in AttributeDefinition.objects.values_list(*AttributeType._fields)
        }
        if all(row.category_id in placements for row in rows):
            return [
                documents.build_product_document(
                    row,
                    placements[row.category_id],
                    variants[row.pk],
                    attribute_types=attribute_types,
                    indexed_at=indexed_at,
                )
                for row in rows
            ]


def tombstone_documents(
    tombstones: QuerySet[ProductTombstone], *, indexed_at: datetime
) -> list[dict[str, Any]]:
    return [
        documents.build_tombstone_document(TombstoneRow(*values), indexed_at=indexed_at)
        for values in tombstones.values_list(*TombstoneRow._fields)
    ]


def build_documents(product_ids: set[int], *, indexed_at: datetime) -> dict[int, dict[str, Any]]:
    """The current document of each product id: built from its row, a tombstone when it was
    deleted; ids with neither are left out."""
    built = {
        document["id"]: document
        for document in product_documents(Product.objects.filter(pk__in=product_ids), indexed_at=indexed_at)
    }
    deleted = ProductTombstone.objects.filter(pk__in=product_ids - built.keys())
    for document in tombstone_documents(deleted, indexed_at=indexed_at):
        built[document["id"]] = document
    return built
