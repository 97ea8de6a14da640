"""Periodic upkeep of the write side."""

from celery import shared_task

from catalog import services


@shared_task(ignore_result=True)
def purge_idempotency_records() -> int:
    return services.idempotency_records_purge()
