"""App config of the task layer: loads the task modules in every process (the web process
enqueues through them too) and gives Celery beat its schedule, naming tasks by reference."""

from django.apps import AppConfig
from django.conf import settings


class TasksConfig(AppConfig):
    name = "tasks"

    def ready(self) -> None:
        from config.celery import app

        # Importing `imports` also connects its receiver of import requests.
        from . import analytics, imports, maintenance, projection

        app.conf.beat_schedule = {
            "relay-outbox": {
                "task": projection.relay_outbox.name,
                "schedule": settings.PROJECTION_RELAY_INTERVAL_SECONDS,
            },
            "relay-search-configuration": {
                "task": projection.relay_search_configuration.name,
                "schedule": settings.PROJECTION_RELAY_INTERVAL_SECONDS,
            },
            "verify-index": {
                "task": projection.verify_index.name,
                "schedule": settings.PROJECTION_VERIFY_INTERVAL_SECONDS,
            },
            "purge-done-outbox-entries": {
                "task": projection.purge_done_outbox_entries.name,
                "schedule": 3600.0,
            },
            "flush-search-records": {
                "task": analytics.flush_search_records.name,
                "schedule": settings.ANALYTICS_FLUSH_INTERVAL_SECONDS,
            },
            "purge-search-records": {
                "task": analytics.purge_search_records.name,
                "schedule": 3600.0,
            },
            "purge-idempotency-records": {
                "task": maintenance.purge_idempotency_records.name,
                "schedule": 3600.0,
            },
            "relay-imports": {
                "task": imports.relay_imports.name,
                "schedule": float(settings.CATALOG_IMPORT_RELAY_SECONDS),
            },
            "purge-product-history": {
                "task": maintenance.purge_product_history.name,
                "schedule": 3600.0,
            },
        }
