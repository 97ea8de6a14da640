"""Writes to the product index: documents in bulk, each with its version as Elasticsearch's
external version, so the index refuses any document older than the one it holds."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from . import freshness, index
from .client import get_client


@dataclass
class BulkOutcome:
    """What Elasticsearch did with a bulk request: ids it refused (with the reason), and ids it
    kept at a newer version than offered (a conflict, which counts as written)."""

    errors: dict[int, str] = field(default_factory=dict)
    newer_held: dict[int, int] = field(default_factory=dict)
    # No index behind the alias (a fresh install, or the alias deleted): nothing was written
    # (the ids are in `errors` too); the drain then creates the index and writes again.
    alias_missing: bool = False


_HELD_VERSION = re.compile(r"current version \[(\d+)\]")


def bulk_write(
    documents: list[dict[str, Any]], *, deletes: Iterable[int] = (), target: str | None = None
) -> BulkOutcome:
    """Write documents with external versions (and drop the `deletes` ids) in one bulk request
    to the alias, or to the `target` index during a rebuild."""
    operations: list[dict[str, Any]] = [
        {"delete": {"_index": target or index.alias_name(), "_id": str(product_id)}} for product_id in deletes
    ]
    for document in documents:
        operations.append(
            {
                "index": {
                    "_index": target or index.alias_name(),
                    "_id": str(document["id"]),
                    "version": document["version"],
                    "version_type": "external",
                }
            }
        )
        operations.append(document)
    outcome = BulkOutcome()
    if not operations:
        return outcome
    client = get_client().options(request_timeout=settings.ELASTICSEARCH_BULK_TIMEOUT)
    response = client.bulk(
        operations=operations,
        require_alias=target is None,
        wait_for_active_shards=settings.ELASTICSEARCH_WAIT_FOR_ACTIVE_SHARDS,
    )
    if target is None:
        freshness.stamp()
    for item in response["items"]:
        ((operation, result),) = item.items()
        product_id, status = int(result["_id"]), result["status"]
        if result.get("error", {}).get("type") == "index_not_found_exception":
            outcome.alias_missing = True
        if status == 409:
            held = _HELD_VERSION.search(result["error"]["reason"])
            outcome.newer_held[product_id] = int(held.group(1)) if held else 0
        elif status >= 300 and not (operation == "delete" and status == 404):
            outcome.errors[product_id] = str(result.get("error"))
    return outcome
