"""DRF throttles that fail open: their counters live in Redis, and a Redis outage must degrade
throttling, not turn every request (and so every write) into a 500."""

import logging

from redis.exceptions import RedisError
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)


class _FailOpen:
    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except RedisError as error:
            logger.warning("throttling skipped, cache unavailable: %s", error)
            return True


class FailOpenAnonRateThrottle(_FailOpen, AnonRateThrottle):
    pass


class FailOpenUserRateThrottle(_FailOpen, UserRateThrottle):
    pass
