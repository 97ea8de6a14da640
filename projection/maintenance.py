"""Whole-index operations behind `manage.py search_index`: rebuild with an atomic alias swap,
verify (and repair) the read side against MySQL, and status.

MySQL is read in primary-key ranges, never with one big query: mysqlclient buffers a whole
result set in memory even behind `iterator()`, so memory would grow with the catalog.
"""

import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Min, QuerySet
from django.utils import timezone
from elasticsearch import ApiError, TransportError, helpers

from catalog import versions
from catalog.models import Product, ProductTombstone
from search import freshness, index
from search.client import get_client
from search.indexing import bulk_write

from . import metrics
from .models import OutboxEntry
from .reading import build_documents, product_documents, tombstone_documents

Progress = Callable[[int], None]
READ_CHUNK = 1000
BULKS_IN_FLIGHT = 2
# Changes committed this long before a rebuild started are replayed into the new index too:
# a worker may have read them before the new index existed and written only the old one.
REBUILD_REPLAY_MARGIN = timedelta(seconds=30)


def _rows(
    queryset: QuerySet,
    *,
    since: datetime | None = None,
    field_name: str = "updated_at",
    read: Callable[[QuerySet], list] = list,
    key: Callable[[Any], int] = attrgetter("pk"),
) -> Iterator[list]:
    """The rows of `queryset` in primary-key ranges of READ_CHUNK, one query per range, each
    range turned into a list by `read` (whose items give their primary key through `key`)."""
    if since is not None:
        queryset = queryset.filter(**{f"{field_name}__gte": since})
    last = 0
    while True:
        rows = read(queryset.filter(pk__gt=last).order_by("pk")[:READ_CHUNK])
        if not rows:
            return
        yield rows
        last = key(rows[-1])


def document_chunks(*, since: datetime | None = None) -> Iterator[list[dict[str, Any]]]:
    """Documents of every product (changed since `since`), then of every tombstone."""
    yield from _rows(
        Product.objects.all(),
        since=since,
        read=lambda products: product_documents(products, indexed_at=timezone.now()),
        key=itemgetter("id"),
    )
    yield from _rows(
        ProductTombstone.objects.all(),
        since=since,
        field_name="deleted_at",
        read=lambda tombstones: tombstone_documents(tombstones, indexed_at=timezone.now()),
        key=itemgetter("id"),
    )


def _copy(target: str, chunks: Iterator[list[dict[str, Any]]], progress: Progress) -> int:
    """Send the chunks as bulk requests, BULKS_IN_FLIGHT at a time, while the next one is read and
    built: MySQL, Python and Elasticsearch work at the same time rather than in turn, and
    Elasticsearch indexes the concurrent requests on several write threads."""
    written = 0
    in_flight: deque[tuple[Future, int]] = deque()

    def finish_oldest() -> None:
        sent, count = in_flight.popleft()
        failed = sent.result().errors
        if failed:
            raise RuntimeError(f"{len(failed)} documents were refused, e.g. {next(iter(failed.items()))}")
        progress(count)

    with ThreadPoolExecutor(max_workers=BULKS_IN_FLIGHT) as sender:
        for documents in chunks:
            if len(in_flight) == BULKS_IN_FLIGHT:
                finish_oldest()
            in_flight.append((sender.submit(bulk_write, documents, target=target), len(documents)))
            written += len(documents)
        while in_flight:
            finish_oldest()
    return written


def rebuild(*, progress: Progress = lambda n: None) -> dict[str, Any]:
    """Fill a new index from MySQL, swap the alias to it atomically, replay what changed while
    copying, and delete the old indices. Queries never see a half-built index."""
    # Not the queries' short timeout: the refresh after copying a million documents takes seconds.
    client = get_client().options(request_timeout=settings.ELASTICSEARCH_BULK_TIMEOUT)
    started = timezone.now()
    old = index.indices_behind_alias(client)
    new = index.new_index_name()
    index.create_index(client, new)
    client.indices.put_settings(index=new, settings={"refresh_interval": "-1"})
    copied = _copy(new, document_chunks(), progress)
    client.indices.put_settings(index=new, settings={"refresh_interval": f"{index.REFRESH_SECONDS}s"})
    client.indices.refresh(index=new)
    actions = [{"remove": {"index": name, "alias": index.alias_name()}} for name in old]
    actions.append({"add": {"index": new, "alias": index.alias_name()}})
    client.indices.update_aliases(actions=actions)
    freshness.stamp()
    # Versions make the replay harmless for documents the new index already holds.
    since = started - REBUILD_REPLAY_MARGIN
    replayed = _copy(new, document_chunks(since=since), progress)
    freshness.stamp()
    for name in old:
        client.indices.delete(index=name, ignore_unavailable=True)
    return {"index": new, "copied": copied, "replayed": replayed, "removed": old}


@dataclass
class Drift:
    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    # Same version as the row, other content: a write that bypassed the services.
    drifted: list[int] = field(default_factory=list)
    orphaned: list[int] = field(default_factory=list)
    resurrected: list[int] = field(default_factory=list)

    KINDS = ("missing", "stale", "drifted", "orphaned", "resurrected")

    @property
    def total(self) -> int:
        return sum(len(getattr(self, kind)) for kind in self.KINDS)


class Held(NamedTuple):
    version: int
    tombstone: bool
    content_hash: str | None


def indexed_documents() -> dict[int, Held]:
    """Version, tombstone flag and content digest of every document behind the alias, scrolled
    in pages."""
    held: dict[int, Held] = {}
    # Compare with what was written, not with what the last periodic refresh made searchable.
    get_client().indices.refresh(index=index.alias_name())
    for hit in helpers.scan(
        get_client().options(request_timeout=settings.ELASTICSEARCH_BULK_TIMEOUT),
        index=index.alias_name(),
        query={"query": {"match_all": {}}},
        _source=["version", "deleted", "content_hash"],
        size=5000,
    ):
        source = hit["_source"]
        held[int(hit["_id"])] = Held(
            source["version"], bool(source.get("deleted")), source.get("content_hash")
        )
    return held


def verify(*, repair: bool = False, progress: Progress = lambda n: None) -> Drift:
    """Compare MySQL with the read side, document by document. Missing: a row with no live
    document; stale: a document older than its row; drifted: a document at its row's version
    whose content differs from the one built from the row now; orphaned: a live document with no
    row; resurrected: a live document for a product that has a tombstone."""
    indexed = indexed_documents()
    drift = Drift()
    for documents in _rows(
        Product.objects.all(),
        read=lambda products: product_documents(products, indexed_at=timezone.now()),
        key=itemgetter("id"),
    ):
        for document in documents:
            held = indexed.pop(document["id"], None)
            if held is None or held.tombstone:
                drift.missing.append(document["id"])
            elif held.version < document["version"]:
                drift.stale.append(document["id"])
            elif held.version == document["version"] and held.content_hash != document["content_hash"]:
                drift.drifted.append(document["id"])
        progress(len(documents))
    live_leftovers = {product_id for product_id, held in indexed.items() if not held.tombstone}
    tombstoned = set(ProductTombstone.objects.filter(pk__in=live_leftovers).values_list("pk", flat=True))
    drift.resurrected = sorted(tombstoned)
    drift.orphaned = sorted(live_leftovers - tombstoned)
    if repair and drift.total:
        _repair(drift)
    return drift


def verify_and_publish() -> Drift:
    """verify(), its drift count and the time it was counted kept for /metrics and the admin."""
    drift = verify()
    metrics.set_gauge(metrics.DRIFT, drift.total)
    metrics.set_gauge(metrics.DRIFT_CHECKED_AT, time.time())
    return drift


def _repair(drift: Drift) -> None:
    """Rewrite what differs. A drifted document, and one where Elasticsearch holds a version at
    or above MySQL's (a write that bypassed the versioning, e.g. a manual index call), cannot be
    replaced at its version: the row is moved to a newer one first, through the write side's one
    version rule, so that the fix and every later change are accepted."""
    for ids in _batches(drift.drifted):
        versions.bump(Product.objects.filter(pk__in=ids))
    for ids in _batches(drift.missing + drift.stale + drift.drifted + drift.resurrected):
        outcome = bulk_write(list(build_documents(set(ids), indexed_at=timezone.now()).values()))
        if outcome.newer_held:
            for product_id, held in outcome.newer_held.items():
                for model in (Product, ProductTombstone):
                    versions.bump(model.objects.filter(pk=product_id), above=held)
            documents = build_documents(set(outcome.newer_held), indexed_at=timezone.now())
            bulk_write(list(documents.values()))
    if drift.orphaned:
        bulk_write([], deletes=drift.orphaned)


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), READ_CHUNK):
        yield ids[start : start + READ_CHUNK]


def status() -> dict[str, Any]:
    client = get_client()
    names: list[str] | str = "Elasticsearch unreachable"
    live = tombstones = built_at = None
    try:
        names = index.indices_behind_alias(client)
        if names:
            alias = index.alias_name()
            live = client.count(index=alias, query={"bool": {"must_not": [{"term": {"deleted": True}}]}})
            tombstones = client.count(index=alias, query={"term": {"deleted": True}})
            # When the index the alias reads was created: by the last rebuild, or `create`.
            created = client.indices.get_settings(index=alias, name="index.creation_date")
            built_at = max(
                datetime.fromtimestamp(int(held["settings"]["index"]["creation_date"]) / 1000, tz=UTC)
                for held in created.values()
            )
    except (TransportError, ApiError):
        pass  # the MySQL half of the status still helps; `indices` says what failed
    pending = OutboxEntry.objects.filter(state=OutboxEntry.State.PENDING)
    oldest = pending.aggregate(oldest=Min("committed_at"))["oldest"]
    recent = list(
        OutboxEntry.objects.filter(state=OutboxEntry.State.DONE)
        .order_by("-processed_at")
        .values_list("committed_at", "processed_at")[:1000]
    )
    # (processed_at is set on every done entry; the column allows NULL for the pending ones)
    lags = sorted(
        (processed - committed).total_seconds() for committed, processed in recent if processed is not None
    )
    return {
        "alias": index.alias_name(),
        "indices": names,
        "documents": live and live["count"],
        "tombstones": tombstones and tombstones["count"],
        "built_at": built_at,
        "outbox_backlog": pending.count(),
        "oldest_pending_seconds": (timezone.now() - oldest).total_seconds() if oldest else 0.0,
        "dead_letters": OutboxEntry.objects.filter(state=OutboxEntry.State.DEAD).count(),
        "lag_p50_seconds": lags[len(lags) // 2] if lags else None,
        "lag_p99_seconds": lags[int(len(lags) * 0.99)] if lags else None,
    }
