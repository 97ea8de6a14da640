"""How commands live with MySQL's locks: a named lock that makes requests for the same thing
wait their turn, and running a transaction again when MySQL chose it as a deadlock victim or
it waited too long for a lock.

Either error leaves nothing of the transaction behind (InnoDB rolls a deadlock victim back,
and leaving the outermost `atomic` on an error rolls back the rest), and nothing outside it has
happened yet (after-commit hooks are dropped with it), so running it again from the start is
safe. Inside an enclosing transaction it is not: that one is lost too, so the error goes up.
"""

import hashlib
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import OperationalError, connection, transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

ER_LOCK_WAIT_TIMEOUT = 1205
ER_LOCK_DEADLOCK = 1213
RETRIED_ERRORS = frozenset({ER_LOCK_WAIT_TIMEOUT, ER_LOCK_DEADLOCK})


@contextmanager
def named_lock(*, name: str, wait_seconds: float) -> Iterator[bool]:
    """Hold MySQL's named lock `name` (GET_LOCK: per server, outside any transaction) for the
    block; yields False, holding nothing, when another session kept it for `wait_seconds`."""
    # Names are limited to 64 characters; the database name keeps test runs apart.
    digest = hashlib.sha256(f"{connection.settings_dict['NAME']}:{name}".encode()).hexdigest()
    lock = f"catalog:{digest[:48]}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT GET_LOCK(%s, %s)", [lock, wait_seconds])
        acquired = cursor.fetchone()[0] == 1
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT RELEASE_LOCK(%s)", [lock])


def atomic_with_retry(run: Callable[[], T], *, attempts: int = 3, backoff_seconds: float = 0.02) -> T:
    """`run()` in a transaction, run again (after a short random pause, so the transactions that
    collided do not collide again) when MySQL aborted it for a deadlock or a lock wait."""
    attempt = 1
    while True:
        try:
            with transaction.atomic():
                return run()
        except OperationalError as error:
            retriable = bool(error.args) and error.args[0] in RETRIED_ERRORS
            if not retriable or attempt >= attempts or connection.in_atomic_block:
                raise
            logger.info("transaction retried after MySQL error %s (attempt %d)", error.args[0], attempt)
        time.sleep(random.uniform(0, backoff_seconds * 2**attempt))
        attempt += 1
