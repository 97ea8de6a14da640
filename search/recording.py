"""Search analytics, the read side's half: each search (and each click on a result) is handed
as a small record to a Redis list, for the `analytics` app's beat task to store in batches.

A search must never wait for, or fail because of, its record: one pipelined RPUSH + LTRIM on
a socket with a short timeout, every error swallowed and logged, and after a failure the sink
stays off for ANALYTICS_SINK_PAUSE_SECONDS so an outage costs one timeout per process, not one
per search. The list is capped at ANALYTICS_QUEUE_MAX records (the oldest go) so a stopped
flush cannot fill Redis. Records are lost, never duplicated, when Redis or the flush fails:
analytics count trends, not money.
"""

import logging
import time
from dataclasses import fields
from decimal import Decimal
from functools import cache
from typing import Any

import orjson
import redis
from django.conf import settings

from .query_building import ProductFilters
from .text import MAX_QUERY_LENGTH, normalized

logger = logging.getLogger(__name__)

SEARCH = "search"
CLICK = "click"

# Monotonic time until which the sink is off after a failure (per process).
_paused_until = 0.0


def filters_used(filters: ProductFilters) -> dict[str, Any]:
    """The filters that differ from the storefront's defaults, as JSON values."""
    default = ProductFilters()
    used = {}
    for field in fields(ProductFilters):
        value = getattr(filters, field.name)
        if value != getattr(default, field.name):
            used[field.name] = _json_value(value)
    return used


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_json_value(item) for item in value]
    return value


def record_search(*, text: str, filters: ProductFilters, hits: int, latency_ms: float) -> None:
    _push(
        {
            "kind": SEARCH,
            "q": _recorded(text),
            "hits": hits,
            "filters": filters_used(filters),
            "ms": round(latency_ms, 2),
            "at": time.time(),
        }
    )


def record_click(*, text: str, product_id: int) -> None:
    _push({"kind": CLICK, "q": _recorded(text), "product": product_id, "at": time.time()})


def _recorded(text: str) -> str:
    # Lower case can lengthen a text ("İ" gives "i" and a combining dot): cut to what was typed
    # at most, which the analytics' columns hold.
    return normalized(text)[:MAX_QUERY_LENGTH]


@cache
def _redis() -> redis.Redis:
    timeout = settings.ANALYTICS_SINK_TIMEOUT
    return redis.Redis.from_url(
        settings.ANALYTICS_REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout
    )


def _push(record: dict[str, Any]) -> None:
    global _paused_until
    if not settings.ANALYTICS_ENABLED or time.monotonic() < _paused_until:
        return
    try:
        pipeline = _redis().pipeline(transaction=False)
        pipeline.rpush(settings.ANALYTICS_QUEUE_KEY, orjson.dumps(record))
        pipeline.ltrim(settings.ANALYTICS_QUEUE_KEY, -settings.ANALYTICS_QUEUE_MAX, -1)
        pipeline.execute()
    except Exception as error:  # whatever goes wrong, the search answers
        _paused_until = time.monotonic() + settings.ANALYTICS_SINK_PAUSE_SECONDS
        logger.warning(
            "search analytics off for %s s, Redis unavailable: %s",
            settings.ANALYTICS_SINK_PAUSE_SECONDS,
            error,
        )


def take(limit: int) -> list[dict[str, Any]]:
    """Remove and return up to `limit` of the oldest records (atomically: two flushes running at
    once never take the same record)."""
    pipeline = _redis().pipeline(transaction=True)
    pipeline.lrange(settings.ANALYTICS_QUEUE_KEY, 0, limit - 1)
    pipeline.ltrim(settings.ANALYTICS_QUEUE_KEY, limit, -1)
    raw, _ = pipeline.execute()
    return [orjson.loads(item) for item in raw]


def give_back(records: list[dict[str, Any]]) -> None:
    """Put records a flush could not store back at the head of the list, in their order."""
    if records:
        _redis().lpush(settings.ANALYTICS_QUEUE_KEY, *[orjson.dumps(r) for r in reversed(records)])


def reset() -> None:
    """Forget the connection and any pause (settings changed: tests, the bench)."""
    global _paused_until
    _paused_until = 0.0
    _redis.cache_clear()
