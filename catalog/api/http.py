"""HTTP conventions of the command API: If-Match preconditions, ETags and Idempotency-Key."""

import hashlib
import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import wraps

from django.db import IntegrityError, transaction
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import IdempotencyRecord
from catalog.transactions import atomic_with_retry, named_lock

MAX_IDEMPOTENCY_KEY_LENGTH = 255
# The keys _idempotency_key accepts, as the OpenAPI schema states them.
IDEMPOTENCY_KEY_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_IDEMPOTENCY_KEY_LENGTH,
    "pattern": r"^\S(.*\S)?$",
}
# How long a request waits for another with the same key to finish before answering 409.
KEY_WAIT_SECONDS = 10
_REPLAYED_HEADERS = ("Location", "ETag")
_VERSION_DIGITS = "[0-9]{1,18}"
_VERSION = re.compile(_VERSION_DIGITS)
# The If-Match values expected_version accepts, as the OpenAPI schema states them.
IF_MATCH_PATTERN = rf'^(\*|(W/)?"?{_VERSION_DIGITS}"?)$'


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
        key = _idempotency_key(request)
        if key is None:
            return view_method(view, request, *args, **kwargs)
        fingerprint = _fingerprint(request)
        with _key_turn(request, key) as turn:
            if not turn:
                return _key_in_use()
            return atomic_with_retry(
                lambda: _answer_once(
                    view_method, view, request, args, kwargs, key=key, fingerprint=fingerprint
                )
            )

    return wrapper


def idempotent_in_chunks(view_method: Callable[..., Response]) -> Callable[..., Response]:
    """Idempotency-Key for a command the services commit in chunks (the bulk commands), which
    `view_method` runs with the keyword arguments `done` and `checkpoint` (see
    catalog.services.products_bulk). The key's record is claimed first, in a transaction of its
    own; every chunk's transaction stores the answers so far in it, so a retry after an
    interruption (a killed process, a lost connection) answers the committed items as they were
    answered and carries on with the rest, writing nothing twice. The whole answer is then
    replayed as `idempotent` does. A request refused before any chunk committed frees its key."""

    @wraps(view_method)
    def wrapper(view, request: Request, *args, **kwargs) -> Response:
        key = _idempotency_key(request)
        if key is None:
            return view_method(view, request, *args, done=[], checkpoint=None, **kwargs)
        fingerprint = _fingerprint(request)
        with _key_turn(request, key) as turn:
            if not turn:
                return _key_in_use()
            record, _ = IdempotencyRecord.objects.get_or_create(
                user_id=signed_in_user_id(request), key=key, defaults={"fingerprint": fingerprint}
            )
            if record.fingerprint != fingerprint:
                return _key_reused()
            if record.status_code is not None:
                return _replayed(record)
            records = IdempotencyRecord.objects.filter(pk=record.pk)
            try:
                response = view_method(
                    view,
                    request,
                    *args,
                    done=(record.response_body or {}).get("partial", []),
                    checkpoint=lambda answers: records.update(response_body={"partial": answers}),
                    **kwargs,
                )
            except Exception:
                records.filter(response_body__isnull=True).delete()
                raise
            _record(record, response)
            return response

    return wrapper


def signed_in_user_id(request: Request) -> int:
    """The id of the request's user, whom the view's permissions required to sign in."""
    user_id = request.user.pk
    if user_id is None:
        raise NotAuthenticated()
    return user_id


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValidationError({"Idempotency-Key": [f"Must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters."]})
    if key != key.strip():
        # HTTP strips such whitespace from header values, and MySQL's utf8mb4_bin ignores
        # trailing spaces when comparing: refused, so `k` and `k ` never share a record.
        raise ValidationError({"Idempotency-Key": ["Must not begin or end with whitespace."]})
    return key


def _fingerprint(request: Request) -> str:
    return hashlib.sha256(
        f"{request.method} {request.path} {json.dumps(request.data, sort_keys=True)}".encode()
    ).hexdigest()


def _key_turn(request: Request, key: str) -> AbstractContextManager[bool]:
    """Requests with one key take turns (yields False after KEY_WAIT_SECONDS without one): racing
    for the key's row instead, the waiters of a refused command (its row rolled back) deadlock
    one another at the unique index."""
    return named_lock(name=f"idempotency:{signed_in_user_id(request)}:{key}", wait_seconds=KEY_WAIT_SECONDS)


def _key_in_use() -> Response:
    return Response(
        {
            "detail": "A request with this Idempotency-Key is still in progress.",
            "code": "idempotency_key_in_use",
        },
        status=status.HTTP_409_CONFLICT,
        headers={"Retry-After": "1"},
    )


def _key_reused() -> Response:
    return Response(
        {
            "detail": "This Idempotency-Key was used with a different request.",
            "code": "idempotency_key_reused",
        },
        status=status.HTTP_422_UNPROCESSABLE_ENTITY,
    )


def _replayed(record: IdempotencyRecord) -> Response:
    return Response(
        record.response_body,
        status=record.status_code,
        headers={**record.response_headers, "Idempotent-Replayed": "true"},
    )


def _record(record: IdempotencyRecord, response: Response) -> None:
    record.status_code = response.status_code
    record.response_body = response.data
    record.response_headers = {
        name: response[name] for name in _REPLAYED_HEADERS if response.has_header(name)
    }
    record.save(update_fields=["status_code", "response_body", "response_headers"])


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
                user_id=signed_in_user_id(request), key=key, fingerprint=fingerprint
            )
    except IntegrityError:
        # The first request with this key has committed (MySQL held this insert until
        # then): answer as it did.
        record = IdempotencyRecord.objects.get(user_id=signed_in_user_id(request), key=key)
        if record.fingerprint != fingerprint:
            return _key_reused()
        return _replayed(record)
    response = view_method(view, request, *args, **kwargs)
    _record(record, response)
    return response
