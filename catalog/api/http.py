"""HTTP conventions of the command API: If-Match preconditions, ETags and Idempotency-Key."""

import hashlib
import json
import re
from collections.abc import Callable
from functools import wraps

from django.db import IntegrityError, transaction
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import IdempotencyRecord
from catalog.transactions import atomic_with_retry, named_lock

MAX_IDEMPOTENCY_KEY_LENGTH = 255
# How long a request waits for another with the same key to finish before answering 409.
KEY_WAIT_SECONDS = 10
_REPLAYED_HEADERS = ("Location", "ETag")
_VERSION = re.compile(r"[0-9]{1,18}")


def expected_version(request: Request) -> int | None:
    """The version named by If-Match (`"3"`, `W/"3"` or `3`); None when absent or `*`."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not _VERSION.fullmatch(value):
        raise ValidationError({"If-Match": ['Expected a version ETag such as "3".']})
    return int(value)


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def idempotent(view_method: Callable[..., Response]) -> Callable[..., Response]:
    """Replay the first successful answer to a retried POST with the same Idempotency-Key and
    body; the same key with another body is a client error (422). The record is written in the
    command's transaction, so a failed command leaves no record and can be retried. Concurrent
    requests with one key are answered one after the other (409 if one waits over
    KEY_WAIT_SECONDS)."""

    @wraps(view_method)
    def wrapper(view, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view_method(view, request, *args, **kwargs)
        if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
            raise ValidationError(
                {"Idempotency-Key": [f"Must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters."]}
            )
        if key != key.strip():
            # HTTP strips such whitespace from header values, and MySQL's utf8mb4_bin ignores
            # trailing spaces when comparing: refused, so `k` and `k ` never share a record.
            raise ValidationError({"Idempotency-Key": ["Must not begin or end with whitespace."]})
        fingerprint = hashlib.sha256(
            f"{request.method} {request.path} {json.dumps(request.data, sort_keys=True)}".encode()
        ).hexdigest()
        # Requests with one key take turns: racing for the key's row instead, the waiters of a
        # refused command (its row rolled back) deadlock one another at the unique index.
        with named_lock(name=f"idempotency:{request.user.pk}:{key}", wait_seconds=KEY_WAIT_SECONDS) as turn:
            if not turn:
                return Response(
                    {
                        "detail": "A request with this Idempotency-Key is still in progress.",
                        "code": "idempotency_key_in_use",
                    },
                    status=status.HTTP_409_CONFLICT,
                    headers={"Retry-After": "1"},
                )
            return atomic_with_retry(
                lambda: _answer_once(
                    view_method, view, request, args, kwargs, key=key, fingerprint=fingerprint
                )
            )

    return wrapper


def _answer_once(
    view_method: Callable[..., Response],
    view,
    request: Request,
    args: tuple,
    kwargs: dict,
    *,
    key: str,
    fingerprint: str,
) -> Response:
    """One attempt, in the caller's transaction: claim the key, or answer as its first use did."""
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user_id=request.user.pk, key=key, fingerprint=fingerprint
            )
    except IntegrityError:
        # The first request with this key has committed (MySQL held this insert until
        # then): answer as it did.
        record = IdempotencyRecord.objects.get(user_id=request.user.pk, key=key)
        if record.fingerprint != fingerprint:
            return Response(
                {
                    "detail": "This Idempotency-Key was used with a different request.",
                    "code": "idempotency_key_reused",
                },
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return Response(
            record.response_body,
            status=record.status_code,
            headers={**record.response_headers, "Idempotent-Replayed": "true"},
        )
    response = view_method(view, request, *args, **kwargs)
    record.status_code = response.status_code
    record.response_body = response.data
    record.response_headers = {
        name: response[name] for name in _REPLAYED_HEADERS if response.has_header(name)
    }
    record.save(update_fields=["status_code", "response_body", "response_headers"])
    return response
