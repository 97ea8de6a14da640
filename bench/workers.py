"""Section 5: projection throughput by number of worker processes. With 1, 2 and 4 Celery worker
processes (`--concurrency 1` each, on the bench queue) ready and idle, every product of the bench
catalog moves to its next version in one transaction (one outbox row each) and each worker is
handed a drain; the time from that commit until the outbox is empty gives changes per second.
The shared `documents_indexed` and `bulk_requests` counters show that the workers split the rows
(leases taken with SKIP LOCKED) rather than indexing any of them twice."""

import os
import socket
import time
from dataclasses import dataclass

from . import procs

WORKER_COUNTS = (1, 2, 4)


@dataclass
class Drain:
    workers: int
    changes: int
    seconds: float
    indexed: int
    bulk_requests: int

    @property
    def rate(self) -> float:
        return self.changes / self.seconds


def run(log_dir: str, *, counts: tuple[int, ...] = WORKER_COUNTS, timeout: float = 900) -> list[Drain]:
    from config.celery import app
    from projection import metrics

    drains = []
    for count in counts:
        workers = [
            procs.start_worker(log_dir, concurrency=1, name=f"celery-{count}x-{n}") for n in range(count)
        ]
        try:
            hostnames = [f"bench-{worker.name}-{os.getpid()}@{socket.gethostname()}" for worker in workers]
            _wait_ready(app, hostnames)
            indexed = metrics.stat(metrics.DOCUMENTS_INDEXED)
            bulk_requests = metrics.stat(metrics.BULK_REQUESTS)
            changes, seconds = _drain_backlog(count, timeout=timeout)
            drains.append(
                Drain(
                    workers=count,
                    changes=changes,
                    seconds=seconds,
                    indexed=int(metrics.stat(metrics.DOCUMENTS_INDEXED) - indexed),
                    bulk_requests=int(metrics.stat(metrics.BULK_REQUESTS) - bulk_requests),
                )
            )
            print(f"  workers: {count} -> {drains[-1].rate:,.0f} changes/s", flush=True)
        finally:
            for worker in workers:
                worker.stop()
    return drains


def _wait_ready(app, hostnames: list[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(app.control.ping(destination=hostnames, timeout=1) or []) < len(hostnames):
        if time.monotonic() > deadline:
            raise RuntimeError(f"Celery workers {hostnames} did not all answer a ping within {timeout:.0f}s")


def _drain_backlog(count: int, *, timeout: float) -> tuple[int, float]:
    from django.conf import settings
    from django.db import transaction

    from catalog import versions
    from catalog.models import Product
    from projection.models import OutboxEntry
    from tasks.projection import drain_outbox

    with transaction.atomic():
        changes = versions.bump(Product.objects.all())
    started = time.perf_counter()
    # The commit requested one drain, which takes a bounded number of batches; as many commits
    # would, request one per batch and at least one per worker.
    for _ in range(max(count, -(-changes // settings.PROJECTION_BATCH_SIZE)) - 1):
        drain_outbox.delay()
    pending = OutboxEntry.objects.filter(state=OutboxEntry.State.PENDING)
    while pending.exists():
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"{pending.count():,} changes still pending after {timeout:.0f}s")
        time.sleep(0.05)
    return changes, time.perf_counter() - started
