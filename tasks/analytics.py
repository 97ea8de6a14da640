"""Beat tasks of the search analytics: store what searches recorded, purge what is too old."""

from celery import shared_task
from django.conf import settings

from analytics import services


@shared_task(ignore_result=True)
def flush_search_records() -> int:
    return services.records_flush(batch_size=settings.ANALYTICS_FLUSH_BATCH)


@shared_task(ignore_result=True)
def purge_search_records() -> int:
    return services.records_purge(older_than_days=settings.ANALYTICS_RETENTION_DAYS)
