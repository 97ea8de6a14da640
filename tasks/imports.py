"""The task that runs a feed import uploaded to `POST /api/imports/`."""

import logging

from celery import shared_task
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


@receiver(imports.import_requested, dispatch_uid="tasks-enqueue-import")
def enqueue_import(*, job_id: int, **kwargs) -> None:
    """The job is stored: with the broker down it stays queued, and the error is logged, not
    raised into the request that committed it."""
    try:
        run_import.delay(job_id)
    except Exception as error:
        logger.warning("import %s not enqueued (%s); it stays queued", job_id, error)
