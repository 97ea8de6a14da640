"""Liveness and readiness probes for load balancers and `make run`."""

from django.db import connection
from django.http import HttpRequest, JsonResponse

from config.celery import app as celery_app
from projection import outbox
from search.client import check_answers


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _mysql() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=0, timeout=2)


def _projection() -> None:
    stalled = outbox.stalled_seconds()
    if stalled is not None:
        raise RuntimeError(f"changes have waited {stalled:.0f} s with no worker taking any")


CHECKS = {"mysql": _mysql, "elasticsearch": check_answers, "broker": _broker, "projection": _projection}


def readyz(request: HttpRequest) -> JsonResponse:
    """200 when MySQL, Elasticsearch and the broker answer and a worker takes the waiting changes;
    503 naming what does not."""
    failures = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:
            failures[name] = f"{type(error).__name__}: {error}"[:300]
    if failures:
        return JsonResponse({"status": "unavailable", "failing": failures}, status=503)
    return JsonResponse({"status": "ok"})
