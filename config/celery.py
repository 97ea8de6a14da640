"""The Celery application shared by the web process (to enqueue) and the worker and beat."""

import logging.config
import os
from typing import Any

from celery import Celery, signals
from django.conf import settings

from . import request_ids

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("catalog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.include = ["tasks.projection", "tasks.maintenance"]

signals.before_task_publish.connect(request_ids.add_to_task_headers, weak=False)
signals.task_prerun.connect(request_ids.enter_task, weak=False)
signals.task_postrun.connect(request_ids.leave_task, weak=False)


@signals.setup_logging.connect(weak=False)
def use_django_logging(**kwargs: Any) -> None:
    """The worker and beat log as the web process does (settings.LOGGING: LOG_FORMAT, LOG_LEVEL,
    the request id) instead of Celery's own format: connecting here stops Celery configuring it."""
    logging.config.dictConfig(settings.LOGGING)
