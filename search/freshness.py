"""The read side's generation: when what the query endpoints answer last changed, the source of
the HTTP validators (ETag, Last-Modified) on anonymous list, search, suggest, brand and category
reads, so a browser, nginx or a CDN can revalidate with a 304 that costs no Elasticsearch query.

Every write that can change an answer stamps the generation (milliseconds since the epoch) in
Redis: documents written through the alias, an alias swap after a rebuild, a published search
configuration. Readers turn it into validators, but only once it has settled: a written document
becomes searchable at the index's next refresh, and a published configuration reaches each web
process when its cache expires, so until both have passed an answer may still be the old one and
gets no validator (it is then cacheable for max-age only). Each validator also expires after
HTTP_CACHE_VALIDATOR_LIFETIME seconds, which bounds how long a stamp lost to a Redis outage can
leave an answer claimed unchanged. Redis unavailable to a reader: no validator, never an error.
"""

import logging
import time

import redis
from django.conf import settings
from django.core.cache import cache as django_cache

from shared.cache import redis_client

from . import index

logger = logging.getLogger(__name__)


def _key() -> str:
    # The cache's key prefix keeps deployments (and test runs) sharing one Redis apart.
    return django_cache.make_key("read-generation")


def stamp() -> None:
    """Record that what reads answer has just changed (after the write, never before)."""
    try:
        redis_client().set(_key(), _now_ms())
    except (redis.RedisError, OSError, ValueError) as error:
        logger.error("read generation not stamped, Redis unavailable: %s", error)


def settle_seconds() -> float:
    """How long after a stamp every reader answers with what was written."""
    return index.REFRESH_SECONDS + settings.SEARCH_CONFIGURATION_CACHE_SECONDS + 1


def settled_generation() -> int | None:
    """The generation (ms) every answer reflects, or None when there is none to vouch for: not
    settled yet, never stamped (stamped now, so it settles), or Redis unavailable. Past the
    validator lifetime the start of the current lifetime window stands in for it."""
    now = _now_ms()
    try:
        held = redis_client().get(_key())
        if held is None:
            redis_client().set(_key(), now, nx=True)
            return None
    except (redis.RedisError, OSError, ValueError) as error:
        logger.warning("no HTTP validators, Redis unavailable: %s", error)
        return None
    generation = int(held)
    if now - generation < settle_seconds() * 1000:
        return None
    lifetime = settings.HTTP_CACHE_VALIDATOR_LIFETIME * 1000
    return max(generation, now - now % lifetime)


def _now_ms() -> int:
    return int(time.time() * 1000)
