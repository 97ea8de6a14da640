"""Tasks that carry committed changes from the outbox into Elasticsearch."""

import logging

from celery import shared_task
from django.conf import settings
from django.dispatch import receiver

from catalog import search_configuration as staff_rules
from projection import drain, maintenance, outbox, search_configuration

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def drain_outbox() -> dict[str, int]:
    result = drain.drain_outbox(linger=settings.PROJECTION_DRAIN_LINGER_SECONDS)
    if result.retry_in is not None:
        drain_outbox.apply_async(countdown=result.retry_in)
    return {"indexed": result.indexed, "failed": result.failed, "dead": result.dead}


@receiver(outbox.drain_requested, dispatch_uid="tasks-enqueue-drain")
def enqueue_drain(**kwargs) -> None:
    """Raises when the broker is down: `outbox.request_drain` logs it and lets the relay deliver."""
    drain_outbox.delay()


@shared_task(ignore_result=True)
def relay_outbox() -> None:
    """Beat: re-request projection for changes whose request was lost or whose worker died, and
    for those an Elasticsearch outage held back, as soon as it answers again."""
    if drain.resume_after_outage() or outbox.relay_is_due():
        drain_outbox.delay()


@shared_task(ignore_result=True)
def verify_index() -> int:
    """Beat: compare MySQL and Elasticsearch and publish the drift count as a metric."""
    return maintenance.verify_and_publish().total


@shared_task(ignore_result=True)
def purge_done_outbox_entries() -> int:
    return outbox.purge_done()


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def publish_search_configuration(self) -> None:
    """Publish the synonym and merchandising rules; while Elasticsearch is down, retry with
    backoff (the relay also catches up afterwards)."""
    try:
        search_configuration.publish()
    except Exception as error:
        raise self.retry(exc=error, countdown=min(2**self.request.retries, 60)) from error


@receiver(staff_rules.changed, dispatch_uid="tasks-enqueue-publish-search-configuration")
def enqueue_publish_search_configuration(**kwargs) -> None:
    try:
        publish_search_configuration.delay()
    except Exception as error:
        logger.warning("search configuration publish not requested (%s); the relay will publish it", error)


@shared_task(ignore_result=True)
def relay_search_configuration() -> None:
    """Beat: publish the rules when the published configuration differs from MySQL's."""
    if search_configuration.is_stale():
        publish_search_configuration.delay()
