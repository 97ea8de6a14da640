"""The projection: drains the outbox into Elasticsearch in bulk, with external versions.

Rules that keep the read side correct under duplicates, reordering and crashes:
- a document is always built from the row as it is *now* in MySQL, never from a queued payload,
  and from the category tree read after that row (documents.product_documents says why);
- it is written with the product's version as an external version, so Elasticsearch refuses any
  older version; a version conflict means "already newer" and counts as success;
- a deleted product is written as a tombstone document carrying its last version, so a stale
  write is refused however late it arrives (Elasticsearch forgets plain deletes after
  `index.gc_deletes`);
- outbox rows are claimed with a lease (SELECT ... FOR UPDATE SKIP LOCKED), so several workers
  share the work and a killed worker's rows are picked up again when the lease ends.
"""

import logging
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from elasticsearch import ApiError, TransportError

from catalog.models import OutboxEntry, Product, ProductTombstone

from . import index, metrics
from .client import get_client
from .documents import build_tombstone_document, product_documents

logger = logging.getLogger(__name__)


@dataclass
class DrainResult:
    indexed: int = 0
    failed: int = 0
    dead: int = 0
    bulk_requests: int = 0
    retry_in: float | None = None


def drain_outbox(*, max_batches: int = 50) -> DrainResult:
    """Project pending outbox rows, a batch per bulk request, until none is left (or the
    budget of batches is spent; the caller then asks for another drain)."""
    result = DrainResult()
    for _ in range(max_batches):
        entries = _claim_batch()
        if not entries:
            break
        try:
            index.ensure_index(get_client())
            _project(entries, result)
        except (TransportError, ApiError) as error:
            result.retry_in = _release_after_outage(entries, error)
            break
    return result


def relay_is_due() -> bool:
    """True when some pending change waits for no worker: its projection request was lost
    (broker down at commit, a web process killed after commit), its worker died holding the
    lease, or its retry time has come."""
    now = timezone.now()
    overdue = now - timedelta(seconds=settings.PROJECTION_RELAY_AFTER_SECONDS)
    return (
        _claimable(now)
        .filter(
            Q(available_at__lte=overdue)
            | Q(claimed_until__isnull=False)  # claimable, so the lease has ended
            | Q(attempts__gt=0, available_at__lte=now)
        )
        .exists()
    )


def build_documents(product_ids: set[int], *, indexed_at: datetime) -> dict[int, dict[str, Any]]:
    """The current document of each product id: built from its row, a tombstone when it was
    deleted; ids with neither are left out."""
    documents = {
        document["id"]: document
        for document in product_documents(Product.objects.filter(pk__in=product_ids), indexed_at=indexed_at)
    }
    for tombstone in ProductTombstone.objects.filter(pk__in=product_ids - documents.keys()):
        documents[tombstone.product_id] = build_tombstone_document(tombstone, indexed_at=indexed_at)
    return documents


@dataclass
class BulkOutcome:
    """What Elasticsearch did with a bulk request: ids it refused (with the reason), and ids it
    kept at a newer version than offered (a conflict, which counts as written)."""

    errors: dict[int, str] = field(default_factory=dict)
    newer_held: dict[int, int] = field(default_factory=dict)


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
    response = client.bulk(operations=operations, require_alias=target is None)
    for item in response["items"]:
        ((operation, result),) = item.items()
        product_id, status = int(result["_id"]), result["status"]
        if status == 409:
            held = _HELD_VERSION.search(result["error"]["reason"])
            outcome.newer_held[product_id] = int(held.group(1)) if held else 0
        elif status >= 300 and not (operation == "delete" and status == 404):
            outcome.errors[product_id] = str(result.get("error"))
    return outcome


def _claimable(now: datetime):
    return OutboxEntry.objects.filter(state=OutboxEntry.State.PENDING).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def _claim_batch() -> list[OutboxEntry]:
    now = timezone.now()
    with transaction.atomic():
        entries = list(
            _claimable(now)
            .filter(available_at__lte=now)
            .order_by("id")
            .select_for_update(skip_locked=True)[: settings.PROJECTION_BATCH_SIZE]
        )
        if entries:
            OutboxEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
                claimed_until=now + timedelta(seconds=settings.PROJECTION_CLAIM_SECONDS)
            )
    return entries


def _project(entries: list[OutboxEntry], result: DrainResult) -> None:
    product_ids = {entry.product_id for entry in entries}
    documents = build_documents(product_ids, indexed_at=timezone.now())
    # Neither a row nor a tombstone (removed behind the services' back): drop the document.
    vanished = product_ids - documents.keys()
    errors = bulk_write(list(documents.values()), deletes=vanished).errors
    result.bulk_requests += 1
    finished = timezone.now()
    done, failed = [], []
    for entry in entries:
        (failed if errors.get(entry.product_id) else done).append(entry)
    OutboxEntry.objects.filter(pk__in=[entry.pk for entry in done]).update(
        state=OutboxEntry.State.DONE, processed_at=finished, claimed_until=None
    )
    lags = [(finished - entry.committed_at).total_seconds() for entry in done]
    metrics.record_batch(lags=lags, bulk_requests=1)
    result.indexed += len(done)
    for entry in failed:
        _record_document_failure(entry, errors[entry.product_id], result)


def _record_document_failure(entry: OutboxEntry, error: str, result: DrainResult) -> None:
    attempts = entry.attempts + 1
    dead = attempts >= settings.PROJECTION_MAX_ATTEMPTS
    OutboxEntry.objects.filter(pk=entry.pk).update(
        attempts=attempts,
        last_error=error[:4000],
        claimed_until=None,
        available_at=timezone.now()
        + timedelta(seconds=_backoff(attempts, settings.PROJECTION_FAILURE_BACKOFF_CAP_SECONDS)),
        state=OutboxEntry.State.DEAD if dead else OutboxEntry.State.PENDING,
    )
    result.failed += 1
    result.dead += int(dead)
    logger.warning(
        "product %s v%s not indexed (attempt %s%s): %s",
        entry.product_id,
        entry.version,
        attempts,
        ", parked as dead letter" if dead else "",
        error,
    )


def _release_after_outage(entries: list[OutboxEntry], error: Exception) -> float:
    """Elasticsearch is down or timing out: nothing is wrong with the documents, so they are
    not dead-lettered; they wait with capped exponential backoff and jitter."""
    attempts = max(entry.attempts for entry in entries) + 1
    delay = _backoff(attempts, settings.PROJECTION_OUTAGE_BACKOFF_CAP_SECONDS)
    OutboxEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
        attempts=attempts,
        last_error=f"Elasticsearch unavailable: {error}"[:4000],
        claimed_until=None,
        available_at=timezone.now() + timedelta(seconds=delay),
    )
    logger.warning("Elasticsearch unavailable (%s); retrying %s changes in %.1fs", error, len(entries), delay)
    return delay


def _backoff(attempts: int, cap: float) -> float:
    return min(cap, 0.5 * 2**attempts) * random.uniform(0.5, 1.5)
