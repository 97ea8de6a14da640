"""The tasks that run a feed import uploaded to `POST /api/imports/`, and request again the ones
whose request was lost."""

import logging

from celery import shared_task
from django.conf import settings
from django.dispatch import receiver

from catalog import imports
from catalog.models import ImportJob

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def run_import(job_id: int) -> str:
    try:
        return imports.import_job_run(job_id=job_id).state
    except ImportJob.DoesNotExist:  # its upload was rolled back or deleted before a worker came
        logger.warning("import %s is gone; nothing to run", job_id)
        return "gone"


@shared_task(ignore_result=True)
def relay_imports() -> list[int]:
    return imports.request_stalled_imports(waited_seconds=settings.CATALOG_IMPORT_RELAY_SECONDS)


@receiver(imports.import_requested, dispatch_uid="tasks-enqueue-import")
def enqueue_import(*, job_id: int, **kwargs) -> None:
    """The job is stored: with the broker down it stays queued (relay_imports requests it again),
    and the error is logged, not raised into the request that committed it."""
    try:
        run_import.delay(job_id)
    except Exception as error:
        logger.warning("import %s not enqueued (%s); it stays queued", job_id, error)
