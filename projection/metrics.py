"""Projection metrics: recorded by workers into MySQL, exposed by the web process in the
Prometheus text format at /metrics.

Counters live in the `ProjectionStat` table rather than in process memory because the worker
that observes a lag and the web process that is scraped are different processes (and hosts).
"""

import bisect
from collections import defaultdict

from django.db import connection
from django.db.models import Min
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from .models import OutboxEntry, ProjectionStat

LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, float("inf"))
DRIFT = "drift"
# When the drift above was counted (seconds since the epoch), for the admin's dashboard.
DRIFT_CHECKED_AT = "drift_checked_at"
BULK_REQUESTS = "bulk_requests"
DOCUMENTS_INDEXED = "documents_indexed"
# When a worker last claimed outbox rows (Unix time): /readyz tells a stalled projection by it.
LAST_CLAIM_AT = "last_claim_at"


def _bucket_name(upper: float) -> str:
    return f"lag_le_{upper}"


def record_batch(*, lags: list[float], bulk_requests: int) -> None:
    """Add one drained batch to the shared counters, one UPDATE per touched counter."""
    increments: defaultdict[str, float] = defaultdict(float)
    for lag in lags:
        increments[_bucket_name(LAG_BUCKETS[bisect.bisect_left(LAG_BUCKETS, lag)])] += 1
    increments["lag_sum"] += sum(lags)
    increments[DOCUMENTS_INDEXED] += len(lags)
    increments[BULK_REQUESTS] += bulk_requests
    table = ProjectionStat._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (name, value) VALUES (%s, %s) "
            "ON DUPLICATE KEY UPDATE value = value + VALUES(value)",
            [(name, value) for name, value in sorted(increments.items()) if value],
        )


def set_gauge(name: str, value: float) -> None:
    """One statement: a worker sets its last claim time with every batch it claims
    (update_or_create took a savepoint, a locking read and an update)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ProjectionStat._meta.db_table} (name, value) VALUES (%s, %s) "
            "ON DUPLICATE KEY UPDATE value = VALUES(value)",
            [name, value],
        )


def stat(name: str) -> float:
    return ProjectionStat.objects.filter(name=name).values_list("value", flat=True).first() or 0.0


class ProjectionCollector(Collector):
    def collect(self):
        stats = dict(ProjectionStat.objects.values_list("name", "value"))
        cumulative, buckets = 0.0, []
        for upper in LAG_BUCKETS:
            cumulative += stats.get(_bucket_name(upper), 0.0)
            buckets.append(("+Inf" if upper == float("inf") else str(upper), cumulative))
        yield HistogramMetricFamily(
            "catalog_projection_lag_seconds",
            "Time from a change's commit to its document being written to Elasticsearch.",
            buckets=buckets,
            sum_value=stats.get("lag_sum", 0.0),
        )
        yield CounterMetricFamily(
            "catalog_projection_bulk_requests",
            "Bulk requests sent to Elasticsearch by the projection.",
            value=stats.get(BULK_REQUESTS, 0.0),
        )
        yield CounterMetricFamily(
            "catalog_projection_documents",
            "Changes written to Elasticsearch by the projection.",
            value=stats.get(DOCUMENTS_INDEXED, 0.0),
        )
        pending = OutboxEntry.objects.filter(state=OutboxEntry.State.PENDING)
        oldest = pending.aggregate(oldest=Min("committed_at"))["oldest"]
        yield GaugeMetricFamily(
            "catalog_outbox_backlog", "Committed changes not yet in Elasticsearch.", value=pending.count()
        )
        yield GaugeMetricFamily(
            "catalog_outbox_oldest_pending_seconds",
            "Age of the oldest change not yet in Elasticsearch.",
            value=(timezone.now() - oldest).total_seconds() if oldest else 0.0,
        )
        yield GaugeMetricFamily(
            "catalog_outbox_dead_letters",
            "Changes parked after repeated failures.",
            value=OutboxEntry.objects.filter(state=OutboxEntry.State.DEAD).count(),
        )
        yield GaugeMetricFamily(
            "catalog_search_drift",
            "Documents that differed from MySQL at the last periodic verify.",
            value=stats.get(DRIFT, 0.0),
        )


registry = CollectorRegistry(auto_describe=False)
registry.register(ProjectionCollector())
