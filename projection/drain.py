"""The outbox's consumer: drains pending changes into Elasticsearch in bulk, retries with backoff,
and parks documents Elasticsearch keeps refusing as dead letters.

Rules that keep the read side correct under duplicates, reordering and crashes:
- a document is always built from the row as it is *now* in MySQL, never from a queued payload,
  and from the category tree read after that row (projection.documents says why);
- it is written with the product's version as an external version, so Elasticsearch refuses any
  older version; a version conflict means "already newer" and counts as success;
- a deleted product is written as a tombstone document carrying its last version, so a stale
  write is refused however late it arrives (Elasticsearch forgets plain deletes after
  `index.gc_deletes`);
- outbox rows are claimed with a lease (projection.outbox), so several workers share the work
  and a killed worker's rows are picked up again when the lease ends.
"""

import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from elasticsearch import ApiError, TransportError

from search import index
from search.client import check_answers, get_client
from search.indexing import bulk_write

from . import metrics, outbox
from .models import OutboxEntry
from .reading import build_documents

logger = logging.getLogger(__name__)

# How the last error of a change held back by an outage begins.
OUTAGE_ERROR = "Elasticsearch unavailable"


@dataclass
class DrainResult:
    indexed: int = 0
    failed: int = 0
    dead: int = 0
    bulk_requests: int = 0
    retry_in: float | None = None


def drain_outbox(*, max_batches: int = 50, linger: float = 0.0) -> DrainResult:
    """Project pending outbox rows, a batch per bulk request, until none is left (or the
    budget of batches is spent; the caller then asks for another drain).

    A batch smaller than PROJECTION_BATCH_SIZE held every change available when it was claimed,
    so the drain ends with it: a change committed since has a drain request of its own (see
    `outbox.request_drain`; and the relay behind it). Under a stream of single commands that
    saves each drain a transaction that would find nothing.

    `linger`: seconds to wait before claiming, during which the commits that come stand by this
    drain's request instead of sending their own, so that under a stream of single commands a
    drain takes several changes at once for its fixed cost (its queries and its bulk request)."""
    result = DrainResult()
    if linger:
        time.sleep(linger)
    outbox.drain_starting()
    for _ in range(max_batches):
        entries = outbox.claim_batch()
        if not entries:
            break
        try:
            _project(entries, result)
        except (TransportError, ApiError) as error:
            result.retry_in = _release_after_outage(entries, error)
            break
        if len(entries) < settings.PROJECTION_BATCH_SIZE:
            break
    else:  # the budget spent with changes left: another drain takes them on
        outbox.request_drain()
    return result


def _project(entries: list[OutboxEntry], result: DrainResult) -> None:
    product_ids = {entry.product_id for entry in entries}
    documents = build_documents(product_ids, indexed_at=timezone.now())
    # Neither a row nor a tombstone (removed behind the services' back): drop the document.
    vanished = product_ids - documents.keys()
    written = list(documents.values())
    outcome = bulk_write(written, deletes=vanished)
    result.bulk_requests += 1
    if outcome.alias_missing:
        # Checked by the bulk request itself (require_alias) rather than asked before every batch.
        index.ensure_index(get_client())
        outcome = bulk_write(written, deletes=vanished)
        result.bulk_requests += 1
    errors = outcome.errors
    finished = timezone.now()
    done: list[OutboxEntry] = []
    failed: list[OutboxEntry] = []
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
        last_error=f"{OUTAGE_ERROR}: {error}"[:4000],
        claimed_until=None,
        available_at=timezone.now() + timedelta(seconds=delay),
    )
    logger.warning("Elasticsearch unavailable (%s); retrying %s changes in %.1fs", error, len(entries), delay)
    return delay


def resume_after_outage() -> int:
    """Changes held back by an outage wait out their backoff (up to a minute at the cap) only
    while Elasticsearch is down: once it answers again they become available at once, with
    their attempts reset, so the read side catches up in seconds. Returns how many."""
    now = timezone.now()
    held = OutboxEntry.objects.filter(
        state=OutboxEntry.State.PENDING, available_at__gt=now, last_error__startswith=OUTAGE_ERROR
    )
    if not held.exists() or not _elasticsearch_answers():
        return 0
    resumed = held.update(available_at=now, attempts=0)
    logger.info("Elasticsearch answers again: %s changes held back by its outage resumed", resumed)
    return resumed


def _elasticsearch_answers() -> bool:
    try:
        check_answers()
    except (TransportError, ApiError):
        return False
    return True


def _backoff(attempts: int, cap: float) -> float:
    return min(cap, 0.5 * 2**attempts) * random.uniform(0.5, 1.5)
