"""The transactional outbox: every announced product version leaves a row in the committing
MySQL transaction, and a drain is requested only after that transaction commits.

Rows are written with one INSERT ... SELECT from the announced query, never a row at a time in
Python, so a brand renamed under 100,000 products costs two statements, not 100,000.
Workers claim rows with a lease (SELECT ... FOR UPDATE SKIP LOCKED): several share the work,
and a killed worker's rows are taken over when its lease ends.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone

from . import metrics
from .models import OutboxEntry

# Sent after a commit that wrote outbox rows: a worker should drain the outbox. The task layer
# receives it (tasks.projection) and enqueues the drain; a lost request only delays the change,
# since the relay re-requests whatever waits too long.
drain_requested = Signal()


def record_versions(*, versions: QuerySet, **kwargs) -> None:
    """Record an outbox row for each `changed_id`, `changed_version` row of `versions`, in the
    current transaction. Receives catalog.versions.product_versions_changed."""
    now = timezone.now()
    select_sql, select_params = versions.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {OutboxEntry._meta.db_table} (product_id, version, state, committed_at, "
            "available_at, attempts, last_error) "
            f"SELECT changed_id, changed_version, %s, %s, %s, 0, '' FROM ({select_sql}) AS changed",
            [OutboxEntry.State.PENDING, now, now, *select_params],
        )
    transaction.on_commit(request_drain)


def request_drain() -> None:
    drain_requested.send(sender=OutboxEntry)


def claimable(now: datetime) -> QuerySet[OutboxEntry]:
    return OutboxEntry.objects.filter(state=OutboxEntry.State.PENDING).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def claim_batch() -> list[OutboxEntry]:
    """Lease the oldest available rows to this worker for PROJECTION_CLAIM_SECONDS."""
    now = timezone.now()
    with transaction.atomic():
        entries = list(
            claimable(now)
            .filter(available_at__lte=now)
            .order_by("id")
            .select_for_update(skip_locked=True)[: settings.PROJECTION_BATCH_SIZE]
        )
        if entries:
            OutboxEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
                claimed_until=now + timedelta(seconds=settings.PROJECTION_CLAIM_SECONDS)
            )
            metrics.set_gauge(metrics.LAST_CLAIM_AT, now.timestamp())
    return entries


def stalled_seconds() -> float | None:
    """How long changes have waited with no worker taking any, when that exceeds
    PROJECTION_STALL_SECONDS (no worker running, or all of them stuck); None otherwise. A change
    waiting for its retry time after an Elasticsearch error is not waiting for a worker."""
    now = timezone.now()
    oldest = claimable(now).filter(available_at__lte=now).aggregate(oldest=Min("available_at"))["oldest"]
    if oldest is None:
        return None
    last_claim = datetime.fromtimestamp(metrics.stat(metrics.LAST_CLAIM_AT), tz=UTC)
    idle = (now - max(oldest, last_claim)).total_seconds()
    return idle if idle > settings.PROJECTION_STALL_SECONDS else None


def relay_is_due() -> bool:
    """True when some pending change waits for no worker: its drain request was lost (broker
    down at commit, a web process killed after commit), its worker died holding the lease, or
    its retry time has come."""
    now = timezone.now()
    overdue = now - timedelta(seconds=settings.PROJECTION_RELAY_AFTER_SECONDS)
    return (
        claimable(now)
        .filter(
            Q(available_at__lte=overdue)
            | Q(claimed_until__isnull=False)  # claimable, so the lease has ended
            | Q(attempts__gt=0, available_at__lte=now)
        )
        .exists()
    )


def retry_dead(*, entries: QuerySet[OutboxEntry]) -> int:
    """Give dead letters (changes Elasticsearch kept refusing) a fresh set of attempts, once an
    operator has fixed the cause; their last error stays for reference until they succeed."""
    retried = entries.filter(state=OutboxEntry.State.DEAD).update(
        state=OutboxEntry.State.PENDING, attempts=0, claimed_until=None, available_at=timezone.now()
    )
    if retried:
        transaction.on_commit(request_drain)
    return retried


def purge_done(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget changes indexed long ago (recent ones feed the admin's lag figures)."""
    cutoff = timezone.now() - older_than
    deleted, _ = OutboxEntry.objects.filter(state=OutboxEntry.State.DONE, processed_at__lt=cutoff).delete()
    return deleted
