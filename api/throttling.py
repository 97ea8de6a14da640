"""DRF throttles that count requests in fixed windows with one Redis round trip, and fail open.

DRF's own throttles keep every request's timestamp in a cached list that is read, unpickled,
re-pickled and written back on each request: at a catalog's rates (1,200 a minute) that list
costs more than the Elasticsearch query behind the request (see docs/benchmarks.md). Here a
counter per client and window is incremented and given its expiry in one pipelined round trip,
and one throttle class serves both kinds of client, so a request costs one round trip, not two.
A sign-in counts in three buckets (the client's, its address's sign-ins, the username's
sign-ins), still in that one round trip. The price is the usual fixed-window edge: up to twice
the rate across a window boundary.

Even one round trip was a quarter of a product read's time (docs/benchmarks.md), so each
process may admit a small share of a bucket's rate (THROTTLE_LOCAL_SHARE, 2%) on its own before it
reports them to Redis with the next request's increment, as long as the count it last saw leaves
room for them: a client far from its limit costs a round trip per share, not per request. Near
the limit every request goes to Redis, and a rate too small for a share of one (sign-ins) is
always counted exactly. The price: up to processes x share above the rate per window, and the
unreported admissions of a window that ends before the next report are not counted.

A Redis outage must degrade throttling, not turn every request (and so every write) into a 500.
"""

import hashlib
import logging
import threading
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache as django_cache
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle

from shared.cache import redis_client

from .clients import client_address

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bucket:
    """`num_requests` per `duration` seconds for the requests of one scope and identity."""

    scope: str
    ident: str
    num_requests: int
    duration: int


@dataclass
class _Tally:
    """One bucket window as this process knows it."""

    ends: float
    reported: int = 0  # the window's count in Redis when this process last reported
    unreported: int = 0  # admitted here since


_tallies: dict[str, _Tally] = {}
# gthread workers serve requests on several threads of one process.
_tallies_lock = threading.Lock()
# Past windows are dropped when the process knows more than this many.
_TALLIES_KEPT = 10_000


def _local_quota(bucket: Bucket) -> int:
    return int(bucket.num_requests * settings.THROTTLE_LOCAL_SHARE)


def seconds_to_wait(buckets: list[Bucket]) -> float:
    """Count one request in each bucket: 0 when every bucket still had room, else the seconds
    until the last full one opens its next window. 0 when Redis fails. At most one Redis round
    trip, none while every bucket has local room (see the module's docstring)."""
    now = time.time()
    windows = [now - now % bucket.duration for bucket in buckets]
    keys = [
        django_cache.make_key(f"throttle_{bucket.scope}_{bucket.ident}:{int(start)}")
        for bucket, start in zip(buckets, windows, strict=True)
    ]
    with _tallies_lock:
        tallies = [
            _tallies.setdefault(key, _Tally(ends=start + bucket.duration))
            for key, bucket, start in zip(keys, buckets, windows, strict=True)
        ]
        if all(_has_local_room(tally, bucket) for tally, bucket in zip(tallies, buckets, strict=True)):
            for tally in tallies:
                tally.unreported += 1
            return 0.0
        increments = [tally.unreported + 1 for tally in tallies]
        for tally in tallies:
            tally.unreported = 0
    try:
        with redis_client().pipeline(transaction=False) as pipeline:
            for key, bucket, increment in zip(keys, buckets, increments, strict=True):
                pipeline.incrby(key, increment).expire(key, bucket.duration + 1)
            counts = pipeline.execute()[::2]
    # redis-py reports a connection closed during its handshake as ValueError, not RedisError.
    except (redis.RedisError, OSError, ValueError) as error:
        logger.warning("throttling skipped, Redis unavailable: %s", error)
        return 0.0
    with _tallies_lock:
        for tally, count in zip(tallies, counts, strict=True):
            tally.reported = max(tally.reported, count)
        if len(_tallies) > _TALLIES_KEPT:
            for key in [key for key, tally in _tallies.items() if tally.ends <= now]:
                del _tallies[key]
    full = [
        start + bucket.duration - now
        for bucket, start, count in zip(buckets, windows, counts, strict=True)
        if count > bucket.num_requests
    ]
    return max(full, default=0.0)


def _has_local_room(tally: _Tally, bucket: Bucket) -> bool:
    """May this process admit one more request of the bucket without asking Redis? Only after it
    has reported once in this window, within its share, and with a share of room left below the
    rate for the other processes' unreported admissions."""
    quota = _local_quota(bucket)
    return (
        tally.reported > 0
        and tally.unreported < quota
        and tally.reported + tally.unreported + 1 + quota <= bucket.num_requests
    )


class ClientRateThrottle(SimpleRateThrottle):
    """Signed-in users by user id at the `user` rate, anonymous clients by address at the `anon`
    rate (DRF's `UserRateThrottle` + `AnonRateThrottle`, in one counter per request)."""

    retry_after: float = 0.0

    def __init__(self) -> None:
        """The scope, and so the rate, depends on the request; see buckets."""

    def allow_request(self, request, view) -> bool:
        buckets = self.buckets(request)
        self.retry_after = seconds_to_wait(buckets) if buckets else 0.0
        return self.retry_after == 0.0

    def buckets(self, request) -> list[Bucket]:
        if request.user and request.user.is_authenticated:
            return self._bucket("user", str(request.user.pk))
        return self._bucket("anon", client_address(request))

    def _bucket(self, scope: str, ident: str) -> list[Bucket]:
        """The scope's bucket for `ident`; none when the scope has no rate."""
        rate = self.THROTTLE_RATES.get(scope)
        if rate is None:
            return []
        num_requests, duration = self.parse_rate(rate)
        return [Bucket(scope=scope, ident=ident, num_requests=num_requests, duration=int(duration))]

    def get_ident(self, request) -> str:
        return client_address(request)

    def wait(self) -> float:
        return self.retry_after


class LoginRateThrottle(ClientRateThrottle):
    """Sign-ins (the token endpoint): the client's bucket, and at most the `login_address` rate
    per address and the `login_username` rate per username, however the guesses are spread."""

    def buckets(self, request) -> list[Bucket]:
        data = request.data
        username = data.get("username") if isinstance(data, Mapping) else None
        return [*super().buckets(request), *self.login_buckets(request, username)]

    def login_buckets(self, request: HttpRequest, username: object) -> list[Bucket]:
        return [
            *self._bucket("login_address", client_address(request)),
            *self._bucket("login_username", _username_key(username)),
        ]


def _username_key(username: object) -> str:
    """One bucket for every spelling the user table equates: its utf8mb4_unicode_ci collation
    ignores case, accents and trailing spaces, so `Admin`, `ADMİN ` and `ádmin` are one user."""
    text = unicodedata.normalize("NFKD", username if isinstance(username, str) else "")
    folded = "".join(char for char in text if not unicodedata.combining(char)).casefold().rstrip()
    # A bounded, key-safe identity, whatever was typed.
    return hashlib.sha256(folded.encode()).hexdigest()
