"""Read-your-writes waits, bounded across every web process: a request that waits for a version
holds a sync web worker, so only READ_YOUR_WRITES_MAX_WAITING requests may wait at once. They
share slots in the cache (Redis) because the workers are separate processes; a request that
finds no free slot, or no cache, answers at once instead of waiting."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


@contextmanager
def wait_slot(*, wanted: bool) -> Iterator[bool]:
    """Whether this request may wait (only if it `wanted` to); a slot it takes is given back
    when the block ends."""
    taken = _take_slot() if wanted else None
    try:
        yield taken is not None
    finally:
        if taken is not None:
            _give_back(taken)


def _take_slot() -> str | None:
    # The slot outlives a worker killed mid-wait by a little, never for good.
    lifetime = int(settings.READ_YOUR_WRITES_WAIT_SECONDS) + 5
    for number in range(settings.READ_YOUR_WRITES_MAX_WAITING):
        key = f"read-your-writes-slot-{number}"
        try:
            if cache.add(key, 1, timeout=lifetime):
                return key
        except Exception as error:  # the cache is down: nobody waits
            logger.warning("read-your-writes waits off, cache unavailable: %s", error)
            return None
    return None


def _give_back(key: str) -> None:
    try:
        cache.delete(key)
    except Exception as error:
        logger.warning("read-your-writes slot %s not given back (it expires): %s", key, error)
