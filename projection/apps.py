"""App config of the projection: receives the write side's announcements of new versions."""

from django.apps import AppConfig


class ProjectionConfig(AppConfig):
    name = "projection"
    verbose_name = "Search projection"

    def ready(self) -> None:
        from catalog.versions import product_versions_changed

        from . import outbox

        product_versions_changed.connect(outbox.record_versions, dispatch_uid="projection-outbox")
