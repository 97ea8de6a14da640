"""A request id on every log line, from the web request into the Celery tasks it enqueues.

The web process takes the caller's `X-Request-ID` (a proxy's or a client's; refused unless it is
short and plain, since it goes into every log line) or makes one, answers with it, and holds it
in a context variable for the request. Tasks published meanwhile carry it as a message header,
and the worker holds it while it runs the task (config.celery connects the signals), so the
lines of a projection carry the id of the command that caused it.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# The Celery message header that carries it (a task reads it as task.request.request_id).
TASK_HEADER = "request_id"
ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,64}")

current: ContextVar[str | None] = ContextVar("request_id", default=None)


def accepted(given: str | None) -> str:
    """The caller's id when it is acceptable, else a new one."""
    if given is not None and ACCEPTED.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accepted(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]  # for RequestIdFilter
        token = current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request or a task that has one). Django
    logs an answer of 400 or more (django.request) after the middleware has returned, with the
    request attached to the record: its id is taken from there."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current.get() or getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = request_id or "-"
        return True


# --- Celery: publisher side, then worker side (connected in config.celery) ----------------------


def add_to_task_headers(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """before_task_publish: the current request's id travels with the task."""
    request_id = current.get()
    if request_id is not None and headers is not None:
        headers[TASK_HEADER] = request_id


_task_tokens: dict[str, Token[str | None]] = {}


def enter_task(task_id: str, task: Any, **kwargs: Any) -> None:
    """task_prerun: hold the id the task's message carries while it runs."""
    _task_tokens[task_id] = current.set(getattr(task.request, TASK_HEADER, None))


def leave_task(task_id: str, **kwargs: Any) -> None:
    """task_postrun."""
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        current.reset(token)
