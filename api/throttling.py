"""DRF throttles that count requests in fixed windows with one Redis round trip, and fail open.

DRF's own throttles keep every request's timestamp in a cached list that is read, unpickled,
re-pickled and written back on each request: at a catalog's rates (1,200 a minute) that list
costs more than the Elasticsearch query behind the request (see docs/benchmarks.md). Here a
counter per client and window is incremented and given its expiry in one pipelined round trip,
and one throttle class serves both kinds of client, so a request costs one round trip, not two.
The price is the usual fixed-window edge: up to twice the rate across a window boundary.

A Redis outage must degrade throttling, not turn every request (and so every write) into a 500.
"""

import logging
import time
from functools import cache

import redis
from django.conf import settings
from django.core.cache import cache as django_cache
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(
        settings.CACHES["default"]["LOCATION"], socket_connect_timeout=0.5, socket_timeout=0.5
    )


class ClientRateThrottle(SimpleRateThrottle):
    """Signed-in users by user id at the `user` rate, anonymous clients by address at the `anon`
    rate (DRF's `UserRateThrottle` + `AnonRateThrottle`, in one counter per request)."""

    cache_format = "throttle_%(scope)s_%(ident)s"
    retry_after: float = 0.0

    def __init__(self) -> None:
        """The scope, and so the rate, depends on the request; see allow_request."""

    def allow_request(self, request, view) -> bool:
        self.scope = "user" if request.user and request.user.is_authenticated else "anon"
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        now = time.time()
        window_start = now - now % self.duration
        key = django_cache.make_key(f"{self.get_cache_key(request, view)}:{int(window_start)}")
        try:
            with _redis().pipeline(transaction=False) as pipeline:
                count, _ = pipeline.incr(key).expire(key, int(self.duration) + 1).execute()
        except redis.RedisError as error:
            logger.warning("throttling skipped, Redis unavailable: %s", error)
            return True
        self.retry_after = window_start + self.duration - now
        return count <= self.num_requests

    def get_cache_key(self, request, view) -> str:
        ident = request.user.pk if self.scope == "user" else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def wait(self) -> float:
        return self.retry_after
