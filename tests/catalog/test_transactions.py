"""A transaction MySQL aborted for a deadlock or a lock wait runs again, only where that is safe."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from catalog.transactions import ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT, atomic_with_retry, named_lock


def _failing(times: int, code: int) -> tuple[list[int], object]:
    calls: list[int] = []

    def run() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError(code, "simulated")
        return "done"

    return calls, run


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("code", [ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT])
def test_a_deadlock_victim_or_lock_wait_timeout_runs_again(code):
    calls, run = _failing(2, code)

    assert atomic_with_retry(run, attempts=3, backoff_seconds=0) == "done"
    assert len(calls) == 3


@pytest.mark.django_db(transaction=True)
def test_attempts_are_bounded():
    calls, run = _failing(5, ER_LOCK_DEADLOCK)

    with pytest.raises(OperationalError):
        atomic_with_retry(run, attempts=3, backoff_seconds=0)
    assert len(calls) == 3


@pytest.mark.django_db(transaction=True)
def test_other_database_errors_are_not_retried():
    calls, run = _failing(1, 2006)  # server gone away: nothing says the commit did not happen

    with pytest.raises(OperationalError):
        atomic_with_retry(run, backoff_seconds=0)
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_inside_an_enclosing_transaction_the_error_goes_up():
    calls, run = _failing(1, ER_LOCK_DEADLOCK)

    with pytest.raises(OperationalError), transaction.atomic():
        atomic_with_retry(run, backoff_seconds=0)
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_named_lock_is_held_by_one_session_at_a_time():
    with named_lock(name="shared", wait_seconds=1) as first:
        seen: list[bool] = []

        def other_session() -> None:
            try:
                with named_lock(name="shared", wait_seconds=0.2) as second:
                    seen.append(second)
            finally:
                connection.close()

        thread = threading.Thread(target=other_session)
        thread.start()
        thread.join(timeout=10)

    assert first is True
    assert seen == [False]
