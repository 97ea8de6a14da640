"""Fault injection on a real 3-node Elasticsearch cluster (scripts/services.sh cluster-up): under a
steady stream of commands and reads through the API, the node holding the index's primary shard
is SIGKILLed and brought back, and a worker is SIGKILLed in the middle of a batch and replaced.
Reads must keep answering, and the read side must then hold exactly the documents built from
MySQL's final rows (the fault suite's audit).
"""

import random
import signal
import statistics
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from projection.models import OutboxEntry
from search import index
from search.client import get_client
from tests import factories
from tests.conftest import ROOT, BeatProcess, WorkerProcess, session_worker_paused, wait_until
from tests.projection.conftest import cluster_start
from tests.projection.test_faults import Workload, audit, lags_between, pending, percentile

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SEED = 20261130
WARM_UP_COMMANDS = 150
NODE_DOWN_SECONDS = 10
# Anonymous queries that answer 200 whatever the catalog holds.
READS = [
    ("/api/products/", {}),
    ("/api/products/", {"ordering": "price", "in_stock": "true"}),
    ("/api/products/search/", {"q": "quiet lamp"}),
    ("/api/products/suggest/", {"q": "sw"}),
    ("/api/brands/", {}),
    ("/api/categories/", {}),
]


def cluster(action: str, *args: str) -> str:
    """Run `scripts/services.sh cluster-<action>`; a failure fails the test with its output."""
    result = subprocess.run(
        ["scripts/services.sh", f"cluster-{action}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"services.sh cluster-{action} {' '.join(args)}:\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def elasticsearch_cluster() -> Iterator[str]:
    """The cluster's comma-separated URLs: started for this module (in the background since the
    run's collection, see conftest.py) and stopped after it (three idle JVMs would slow the rest
    of the run), or reused and left running when every node already answered."""
    start = cluster_start()
    if start is None:
        output = cluster("up")
    else:
        status, output, errors = start.result(timeout=900)
        assert status == 0, f"services.sh cluster-up:\n{errors}"
    urls = output.rsplit("ELASTICSEARCH_URL=", 1)[1].strip()
    yield urls
    if "(started)" in output:
        cluster("down")


@pytest.fixture
def cluster_index(elasticsearch_cluster: str, settings, request: pytest.FixtureRequest) -> Iterator[str]:
    """Points this process and the workers it starts at the cluster, with a fresh index of one
    shard and one replica behind the run's alias."""
    settings.ELASTICSEARCH_URL = elasticsearch_cluster
    settings.ELASTICSEARCH_REPLICAS = 1
    # Four JVMs and the workers share two cores here: a query may wait on a busy node for longer
    # than the suite's 5 s while the cluster recovers, which is slowness, not a lost answer.
    settings.ELASTICSEARCH_QUERY_TIMEOUT = 15
    get_client.cache_clear()
    try:
        # creating an index waits for its copies on every node: longer than a query may take
        client = get_client().options(request_timeout=90)
        index.delete_all_indices(client)
        name = index.ensure_index(client)
        client.cluster.health(index=name, wait_for_status="green", timeout="60s")
        with session_worker_paused(request):
            yield name
        index.delete_all_indices(client)
    finally:
        # whatever failed, later tests must not inherit a client of the cluster
        get_client.cache_clear()


class Loop(threading.Thread):
    """Calls `action` again and again, `pause` seconds apart, until stopped; stop() raises what
    the thread raised."""

    def __init__(self, action: Callable[[], None], pause: float = 0.0) -> None:
        super().__init__(daemon=True)
        self.action, self.pause = action, pause
        self.stopping = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                self.action()
                self.stopping.wait(self.pause)
        except BaseException as error:
            self.error = error
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=60)
        if self.error is not None:
            raise self.error


@dataclass
class Reader:
    """Anonymous queries through the API; each answer's status, by when it was asked."""

    rng: random.Random
    client: APIClient = field(default_factory=APIClient)
    answers: list[tuple[float, int]] = field(default_factory=list)

    def read(self) -> None:
        url, params = self.rng.choice(READS)
        asked = time.monotonic()
        self.answers.append((asked, self.client.get(url, params).status_code))

    def between(self, start: float, end: float) -> list[int]:
        return [status for asked, status in self.answers if start <= asked < end]


@dataclass
class HealthWatch:
    """The cluster's health as the app's client sees it, polled: (when, status, nodes)."""

    seen: list[tuple[float, str, int]] = field(default_factory=list)

    def poll(self) -> None:
        try:
            health = get_client().options(request_timeout=1).cluster.health()
            self.seen.append((time.monotonic(), health["status"], health["number_of_nodes"]))
        except Exception:
            self.seen.append((time.monotonic(), "no answer", 0))

    def statuses_between(self, start: float, end: float) -> Counter:
        return Counter(status for at, status, _ in self.seen if start <= at < end)


def node_processes() -> dict[str, int]:
    """Node name -> pid of the Elasticsearch process, as the cluster reports them."""
    nodes = get_client().nodes.info(metric="process")["nodes"]
    return {node["name"]: node["process"]["id"] for node in nodes.values()}


def primary_node(name: str) -> str:
    shards = get_client().cat.shards(index=name, format="json", h="prirep,node,state")
    return next(shard["node"] for shard in shards if shard["prirep"] == "p" and shard["state"] == "STARTED")


def process_gone(pid: int) -> bool:
    """No such process, or only its zombie (dead, waiting for its parent to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in {"Z", "X"}


def number_of_nodes() -> int:
    return get_client().cluster.health()["number_of_nodes"]


def index_green(name: str) -> bool:
    return get_client().cluster.health(index=name)["status"] == "green"


def caught_up_to(moment) -> bool:
    """Every change committed up to `moment` is in the index."""
    return not OutboxEntry.objects.filter(state="pending", committed_at__lte=moment).exists()


def task_in_hand(worker: WorkerProcess) -> bool:
    """The worker has taken a task and not finished it (its concurrency is 1)."""
    log = worker.log_path.read_text(errors="replace")
    return log.count(" received") > log.count(" succeeded in ") + log.count(" raised ")


# the cluster's start (when not reused) counts too: up to 7 minutes on a loaded machine
@pytest.mark.timeout(1500)
def test_a_cluster_losing_a_node_and_a_worker_keeps_answering_and_converges(cluster_index, capsys):
    # given a small catalog on a 3-node cluster (1 shard, 1 replica), two workers and beat
    factories.workload_catalog()
    writer_client = APIClient()
    writer_client.force_authenticate(factories.user(*factories.CATALOG_PERMISSIONS))
    workload = Workload(client=writer_client, rng=random.Random(SEED))
    workers = [WorkerProcess("cluster-a").start(), WorkerProcess("cluster-b").start()]
    beat = BeatProcess("cluster-beat").start()
    reader, health = Reader(rng=random.Random(SEED)), HealthWatch()
    loops: list[Loop] = []
    figures: dict[str, float] = {}
    try:
        workload.run(WARM_UP_COMMANDS)
        wait_until(lambda: pending() == 0, timeout=60)
        # a steady stream of commands, reads and health checks from here on
        loops = [Loop(workload.step), Loop(reader.read, pause=0.05), Loop(health.poll, pause=0.25)]
        for loop in loops:
            loop.start()
        time.sleep(3)

        # 1. SIGKILL the node holding the primary shard, keep it down, then start it again
        victim = primary_node(cluster_index)
        number = victim.rsplit("-", 1)[1]
        victim_pid = node_processes()[victim]
        commands_before = len(workload.statuses)
        lost_at, lost_wall = time.monotonic(), timezone.now()
        cluster("kill", number)
        wait_until(lambda: process_gone(victim_pid), timeout=10)
        wait_until(lambda: number_of_nodes() == 2, timeout=30, interval=0.1)
        figures["node gone after"] = time.monotonic() - lost_at
        time.sleep(NODE_DOWN_SECONDS)
        restart_at = time.monotonic()
        cluster("start", number)
        back_at, back_wall = time.monotonic(), timezone.now()
        assert number_of_nodes() == 3
        assert node_processes()[victim] != victim_pid
        figures["node down"] = back_at - lost_at
        figures["node restart"] = back_at - restart_at
        commands_during_loss = len(workload.statuses) - commands_before
        wait_until(lambda: index_green(cluster_index), timeout=120, interval=0.2)
        figures["green after"] = time.monotonic() - back_at
        wait_until(lambda: caught_up_to(back_wall), timeout=120, interval=0.2)
        figures["converged after"] = time.monotonic() - back_at

        # 2. SIGKILL a worker while it holds a batch, then start another
        wait_until(
            lambda: (
                task_in_hand(workers[0])
                and OutboxEntry.objects.filter(claimed_until__isnull=False, state="pending").exists()
            ),
            timeout=60,
            interval=0.02,
        )
        killed_pid, killed_at, killed_wall = workers[0].process.pid, time.monotonic(), timezone.now()
        workers[0].kill()
        assert workers[0].process.returncode == -signal.SIGKILL, workers[0].process.returncode
        assert process_gone(killed_pid)
        workers[0] = WorkerProcess("cluster-c").start()
        wait_until(lambda: caught_up_to(killed_wall), timeout=120, interval=0.2)
        figures["takeover"] = time.monotonic() - killed_at
        time.sleep(3)
    finally:
        for loop in loops:
            loop.stop()
        try:
            wait_until(lambda: pending() == 0, timeout=120, interval=0.5)
        finally:
            for process in (*workers, beat):
                process.stop()

    verdict = audit()
    counts = verdict.counts
    loss = (lost_at, back_at)
    loss_reads = reader.between(*loss)
    loss_failures = Counter(status for status in loss_reads if not 200 <= status < 300)
    all_failures = Counter(status for _, status in reader.answers if not 200 <= status < 300)
    cluster_statuses = health.statuses_between(*loss)
    lags = lags_between(lost_wall, back_wall)
    with capsys.disabled():
        succeeded = sum(status < 300 for status in workload.statuses)
        commands = len(workload.statuses)
        print(f"\ncluster faults (3 nodes, 1 replica): {commands} commands ({succeeded} succeeded)")
        print(
            f"  - {victim} (primary shard) SIGKILLed, pid {victim_pid}: cluster saw 2 nodes after"
            f" {figures['node gone after']:.1f}s; down {figures['node down']:.1f}s"
            f" ({figures['node restart']:.1f}s of it restarting)"
        )
        print(
            f"  - during the node loss: {commands_during_loss} commands, {len(loss_reads)} reads,"
            f" {sum(loss_failures.values())} not 2xx {dict(loss_failures) or ''};"
            f" cluster status polled: {dict(cluster_statuses)}"
        )
        print(
            f"  - after the node returned: green in {figures['green after']:.1f}s,"
            f" every change up to its return indexed in {figures['converged after']:.1f}s"
        )
        print(
            f"  - commit->indexed lag of changes made during the node loss: p50 {percentile(lags, 0.5):.2f}s"
            f" p99 {percentile(lags, 0.99):.2f}s max {max(lags, default=float('nan')):.2f}s"
            f" (n={len(lags)}, mean {statistics.fmean(lags) if lags else float('nan'):.2f}s)"
        )
        print(
            f"  - worker SIGKILLed holding a batch (pid {killed_pid}); its changes indexed by the others"
            f" {figures['takeover']:.1f}s later"
        )
        print(f"  - reads over the whole run: {len(reader.answers)}, not 2xx: {dict(all_failures) or 0}")
        print("  " + ", ".join(f"{name} {value}" for name, value in counts.items()))
        for difference in verdict.differences[:10]:
            print(f"    {difference}")
    assert counts == {"lost": 0, "stale": 0, "resurrected": 0, "orphaned": 0, "duplicated": 0}, (
        verdict.differences
    )
    assert all(status < 500 for status in workload.statuses)
    assert commands_during_loss >= 50 and len(loss_reads) >= 50, (commands_during_loss, len(loss_reads))
    # reads keep answering on the nodes left; only a red cluster (no copy of a shard) may be a 503
    if cluster_statuses["red"]:
        assert set(all_failures) <= {503}, all_failures
    else:
        assert not all_failures, all_failures
