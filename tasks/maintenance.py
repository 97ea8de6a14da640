"""Periodic upkeep of the write side."""

from celery import shared_task
from django.conf import settings

from catalog import services


@shared_task(ignore_result=True)
def purge_idempotency_records() -> int:
    return services.idempotency_records_purge()


@shared_task(ignore_result=True)
def purge_product_history() -> int:
    return services.product_changes_purge(older_than_days=settings.CATALOG_HISTORY_RETENTION_DAYS)
