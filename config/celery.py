"""The Celery application shared by the web process (to enqueue) and the worker and beat."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("catalog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.include = ["tasks.projection", "tasks.maintenance"]
