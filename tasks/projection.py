"""Tasks that carry committed changes from the outbox into Elasticsearch."""

import logging

from celery import shared_task
from django.dispatch import receiver

from projection import drain, maintenance, outbox

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def drain_outbox() -> dict[str, int]:
    result = drain.drain_outbox()
    if result.retry_in is not None:
        drain_outbox.apply_async(countdown=result.retry_in)
    return {"indexed": result.indexed, "failed": result.failed, "dead": result.dead}


@receiver(outbox.drain_requested, dispatch_uid="tasks-enqueue-drain")
def enqueue_drain(**kwargs) -> None:
    """A broker outage only delays the change: the relay on Celery beat re-requests every
    pending row, so the error is logged, never raised (the write has committed)."""
    try:
        drain_outbox.delay()
    except Exception as error:
        logger.warning("projection request not sent (%s); the outbox relay will deliver it", error)


@shared_task(ignore_result=True)
def relay_outbox() -> None:
    """Beat: re-request projection for changes whose request was lost or whose worker died."""
    if outbox.relay_is_due():
        drain_outbox.delay()


@shared_task(ignore_result=True)
def verify_index() -> int:
    """Beat: compare MySQL and Elasticsearch and publish the drift count as a metric."""
    return maintenance.verify_and_publish().total


@shared_task(ignore_result=True)
def purge_done_outbox_entries() -> int:
    return outbox.purge_done()
