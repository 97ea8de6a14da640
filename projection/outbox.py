"""The transactional outbox: every announced product version leaves a row in the committing
MySQL transaction, and a drain is requested only after that transaction commits.

Rows are written in one statement per announcement, never a row at a time in Python: an
INSERT ... SELECT from an announced query (a brand renamed under 100,000 products costs two
statements, not 100,000), or an INSERT of the (id, version) pairs a command announces.
Workers claim rows with a lease (SELECT ... FOR UPDATE SKIP LOCKED): several share the work,
and a killed worker's rows are taken over when its lease ends.
"""

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Min, Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone

from . import metrics
from .models import OutboxEntry

logger = logging.getLogger(__name__)

# Sent after a commit that wrote outbox rows: a worker should drain the outbox. The task layer
# receives it (tasks.projection) and enqueues the drain; a lost request only delays the change,
# since the relay re-requests whatever waits too long.
drain_requested = Signal()


def record_versions(*, versions: QuerySet | list[tuple[int, int]], **kwargs) -> None:
    """Record an outbox row for each `changed_id`, `changed_version` row of `versions` (or each
    (product id, version) pair of a list), in the current transaction. Receives
    catalog.versions.product_versions_changed."""
    now = timezone.now()
    columns = "product_id, version, state, committed_at, available_at, attempts, last_error"
    if isinstance(versions, QuerySet):
        select_sql, select_params = versions.query.sql_with_params()
        rows_sql = f"SELECT changed_id, changed_version, %s, %s, %s, 0, '' FROM ({select_sql}) AS changed"
        params = [OutboxEntry.State.PENDING, now, now, *select_params]
    elif not versions:
        return
    else:
        rows_sql = "VALUES " + ", ".join(["(%s, %s, %s, %s, %s, 0, '')"] * len(versions))
        params = [
            value
            for product_id, version in versions
            for value in (product_id, version, OutboxEntry.State.PENDING, now, now)
        ]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {OutboxEntry._meta.db_table} ({columns}) {rows_sql}", params)
    transaction.on_commit(request_drain)


# Set (in the cache all processes share) while a drain is requested and not yet started: that
# drain will claim every change committed until it starts, so no other request is sent until
# then. Under a stream of single commands this spares each command the publishing of a task and
# the workers a drain per change. The key's timeout bounds the wait if that request is lost (the
# relay also catches it).
DRAIN_WAITING_KEY = "projection:drain-waiting"


def request_drain() -> None:
    """Ask for a drain after a commit, unless one is already waiting to start. A request the
    broker refuses only delays the change (the relay on Celery beat re-requests what waits too
    long), so it is logged, never raised: the write has committed."""
    try:
        first = cache.add(DRAIN_WAITING_KEY, True, timeout=settings.PROJECTION_DRAIN_WAITING_SECONDS)
    except Exception as error:  # the cache unreachable: request, as if none were waiting
        logger.warning("drain request not coalesced (%s)", error)
        first = True
    if not first:
        return
    for _receiver, outcome in drain_requested.send_robust(sender=OutboxEntry):
        if isinstance(outcome, Exception):
            logger.warning("drain request not sent (%s); the outbox relay will deliver it", outcome)
            # Lost: the next commit must ask again rather than count on it.
            _forget_waiting_request()


def drain_starting() -> None:
    """Called by a drain before it claims anything: a change committed from now on may be
    missed by it, so it needs a request of its own."""
    _forget_waiting_request()


def _forget_waiting_request() -> None:
    try:
        cache.delete(DRAIN_WAITING_KEY)
    except Exception as error:  # the key times out instead; until then the relay delivers
        logger.warning("drain request left standing (%s)", error)


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
