"""Tasks that carry committed changes from the outbox into Elasticsearch."""

from celery import shared_task

from search import maintenance, metrics, projection


@shared_task(acks_late=True, ignore_result=True)
def drain_outbox() -> dict[str, int]:
    result = projection.drain_outbox()
    if result.retry_in is not None:
        drain_outbox.apply_async(countdown=result.retry_in)
    return {"indexed": result.indexed, "failed": result.failed, "dead": result.dead}


@shared_task(ignore_result=True)
def relay_outbox() -> None:
    """Beat: re-request projection for changes whose request was lost or whose worker died."""
    if projection.relay_is_due():
        drain_outbox.delay()


@shared_task(ignore_result=True)
def verify_index() -> int:
    """Beat: compare MySQL and Elasticsearch and publish the drift count as a metric."""
    drift = maintenance.verify().total
    metrics.set_gauge(metrics.DRIFT, drift)
    return drift
