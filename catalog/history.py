"""The change history of products: every product command records who made it (the user, or an
API token's user), when, through which channel (the API, the admin, a bulk request, an
inventory feed, a feed import) and which fields it changed from what to what.

The services write it, explicitly and in the command's own transaction, as they write the new
versions: a ProductChange per command, a bulk chunk's in one INSERT with the chunk. A record is
the difference between the product's stored state before and after the command (the state the
services compare anyway to tell a no-op from a change), taken field by field, into the JSON
fields (`attributes.color`, `translations.de.name`) and the variants by sku
(`variants.SHIRT-M.price`); the brand and category by slug, as the API names them.

Why not django-simple-history, the well-kept library for this: it records from the models'
post_save and post_delete signals, a row per save() of each model. The bulk commands write with
bulk_update and UPDATE statements (versions.bump), which send no signal, so their changes would
be missing; a product command saves the product and each of its variants, so one command would
be several rows with no diff of the command as a whole; and its user comes from a thread-local
set by a middleware, which a worker running an import does not have. Recording from the
services costs one INSERT per command and no query for the state before, which they have loaded.

Retention: `services.product_changes_purge` deletes what is older than
CATALOG_HISTORY_RETENTION_DAYS (beat runs it hourly).
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import models

from .models import Product, ProductChange, ProductTombstone

Channel = ProductChange.Channel
Action = ProductChange.Action
# Product fields that hold a foreign key: recorded by the related row's slug.
_RELATIONS = {
    field.name: field for field in Product._meta.concrete_fields if isinstance(field, models.ForeignKey)
}
_EMPTY: tuple[Any, ...] = (None, "", [], {})


@dataclass(frozen=True)
class Origin:
    """Who made a command and through which channel."""

    channel: str
    user_id: int | None = None
    username: str = ""

    @classmethod
    def of(cls, user: Any, *, channel: str) -> "Origin":
        """A command of `user` (a request's, which a token authenticates as its user's)."""
        if user is None or not user.is_authenticated:
            return cls(channel=channel)
        return cls(channel=channel, user_id=user.pk, username=user.get_username())


# Commands made by code without a request or a user: the demo seed, a shell.
SYSTEM = Origin(channel=Channel.SYSTEM)


@dataclass(frozen=True)
class _Row:
    """A related row a change names by id, named by its slug when the change is recorded."""

    model: type[models.Model]
    pk: Any


def change(
    product: Product,
    action: str,
    *,
    version: int,
    before: dict[str, Any],
    after: dict[str, Any],
    origin: Origin,
    product_id: int | None = None,
) -> ProductChange:
    """The record (unsaved) of a command that took `product` from the state `before` to `after`
    ({} before a creation, after a deletion) and to `version`. A deleted product, which has
    lost its pk, names its `product_id`."""
    fields = _differences(before, after, ())
    for item in fields:
        relation = _RELATIONS.get(item["field"][0]) if len(item["field"]) == 1 else None
        if relation is not None:
            item["before"] = _named(product, relation, item["before"])
            item["after"] = _named(product, relation, item["after"])
    return ProductChange(
        product_id=product_id or product.pk,
        sku=product.sku,
        version=version,
        action=action,
        channel=origin.channel,
        user_id=origin.user_id,
        username=origin.username,
        changes=fields,
    )


def record(changes: list[ProductChange]) -> None:
    """Write `changes` in one INSERT, in the caller's transaction, with the related rows they name
    by id looked up by slug (one query per model, only for rows the command did not load)."""
    if not changes:
        return
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for item in _items(changes):
        for end in ("before", "after"):
            if isinstance(item[end], _Row):
                wanted[item[end].model].add(item[end].pk)
    slugs = {
        (model, pk): slug
        for model, pks in wanted.items()
        for pk, slug in model._default_manager.filter(pk__in=pks).values_list("pk", "slug")
    }
    for item in _items(changes):
        for end in ("before", "after"):
            if isinstance(item[end], _Row):
                item[end] = slugs.get((item[end].model, item[end].pk), item[end].pk)
    ProductChange.objects.bulk_create(changes)


def product_changes(*, product_id: int) -> models.QuerySet[ProductChange]:
    """The recorded changes of a product, newest first; also of a deleted one. Raises
    Product.DoesNotExist for an id no product has had."""
    changes = ProductChange.objects.filter(product_id=product_id).order_by("-id")
    known = (
        Product.objects.filter(pk=product_id).exists()
        or ProductTombstone.objects.filter(pk=product_id).exists()
        or changes.exists()
    )
    if not known:
        raise Product.DoesNotExist(f"No product has had the id {product_id}.")
    return changes


def _differences(before: Any, after: Any, path: tuple[str, ...]) -> list[dict[str, Any]]:
    """The values that differ between two states, by their path into nested objects; a value
    missing on one side reads as None, and empty values ("", [], {}, None) as equal."""
    found = []
    for key in [*after, *(key for key in before if key not in after)]:
        old, new = before.get(key), after.get(key)
        if old == new or (old in _EMPTY and new in _EMPTY):
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            found += _differences(old, new, (*path, key))
        else:
            found.append({"field": [*path, key], "before": old, "after": new})
    return found


def _named(product: Product, relation: models.ForeignKey, pk: Any) -> Any:
    """The slug of the related row `pk`, taken from the product when it holds that row."""
    if pk is None:
        return None
    held: Any = relation.get_cached_value(product, default=None)
    if held is not None and held.pk == pk:
        return held.slug
    return _Row(relation.related_model, pk)


def _items(changes: list[ProductChange]) -> list[dict[str, Any]]:
    return [item for change in changes for item in change.changes]
