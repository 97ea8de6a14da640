"""The read side's Django app: registers its system checks (languages, deployment)."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
