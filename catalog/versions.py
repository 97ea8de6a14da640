"""The one place a version changes, and the announcement of every product change.

A product's version orders its changes for the read side: the projection writes each document
with it as Elasticsearch's external version, so an older document can never replace a newer one.
That only holds if every change of a product (or of the brand and category names copied into
its document) moves it to a new version, in the transaction that makes the change, and if
whoever keeps the read side learns of it in that same transaction. The services call
`bump` and `announce` explicitly; nothing here is triggered by model signals.

The write side imports nothing of the projection: it announces changes with the
`product_versions_changed` signal, which the projection app receives (see projection.apps).
"""

from datetime import datetime
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.functions import Greatest
from django.dispatch import Signal
from django.utils import timezone

from .models import Product, ProductTombstone

# Sent inside the committing transaction with `versions`: a values() query of rows with
# `changed_id` (the product id) and `changed_version`, a query so that a receiver can copy
# 100,000 of them in one statement; or, for the products a command has just saved, a list of
# their (id, version) pairs. Receivers work in that transaction, so a rollback undoes their work
# too.
product_versions_changed = Signal()


def bump(records: QuerySet, *, above: int = 0, at: datetime | None = None) -> int:
    """Move every row of `records` (products, tombstones, brands or categories) to its next
    version, one above both its current version and `above`, in one UPDATE, changed `at` (now
    by default); announce the new versions of products and tombstones. Returns how many rows
    changed."""
    values: dict[str, Any] = {"version": Greatest(F("version"), above) + 1}
    if any(field.name == "updated_at" for field in records.model._meta.fields):
        values["updated_at"] = at or timezone.now()
    changed = records.update(**values)
    if changed and records.model in (Product, ProductTombstone):
        announce(records)
    return changed


def advance(product: Product) -> None:
    """Move `product` to its next version in memory, for the caller's save to write in the same
    UPDATE as its other changes (one statement fewer than `bump`). Only for a product the
    caller holds locked since it read it, so the next version is the one read plus one; the
    caller announces it once saved. `updated_at` is set by that save (auto_now)."""
    product.version += 1


def announce(records: QuerySet[Product] | QuerySet[ProductTombstone]) -> None:
    """Tell the read side's keepers that `records` (products or tombstones) hold new versions."""
    product_versions_changed.send(
        sender=records.model, versions=records.values(changed_id=F("pk"), changed_version=F("version"))
    )


def announce_saved(product: Product) -> None:
    """Announce the version `product` was just saved at, by the caller that holds its row locked
    (or has just inserted it): what the row holds is what the caller holds, so the receivers
    need not read it back. For a single command, building the query of `announce` cost more
    than the statement that copies it."""
    product_versions_changed.send(sender=Product, versions=[(product.pk, product.version)])
