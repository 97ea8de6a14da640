"""Section 2: projection lag under write load. gunicorn and a Celery worker run against the bench
database and alias; a load generator sends create / update commands (half and half) through the
HTTP API with token auth, at fixed rates (open loop: latency is measured from each command's
scheduled send time, so a saturated server shows as latency, not as a lower rate) and at the
maximum (closed loop, several threads).

Two lags are reported for every command:
- ack -> searchable, measured: a poller searches Elasticsearch (a `_search`, so only refreshed
  documents count) every 50 ms for every acknowledged (id, version) not yet visible. It starts at
  the HTTP response, which comes after the commit, so it slightly under-counts commit ->
  searchable (by the time from commit to the response reaching the client, ~ms);
- commit -> indexed, from the outbox: processed_at - committed_at of the command's outbox row
  (the bulk write acknowledged; searchable after the next refresh, refresh_interval 1 s)."""

import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import urllib3

from . import env
from .stats import percentile

POLL_SECONDS = 0.05
# Sent before the first phase and not reported: the first commands after the servers start pay
# for cold caches, connections and the index's first writes, which would show in whichever
# phase comes first.
WARMUP_COMMANDS = 200


@dataclass
class Phase:
    name: str
    target_rate: float | None
    seconds: float
    sent: int = 0
    ok: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    searchable_lags: list[float] = field(default_factory=list)
    outbox_lags: list[float] = field(default_factory=list)
    achieved_rate: float = 0.0
    unseen: int = 0
    all_searchable_seconds: float | None = None


class Poller(threading.Thread):
    """Watches Elasticsearch for acknowledged writes and records when each becomes searchable."""

    def __init__(self, es_url: str, alias: str) -> None:
        super().__init__(daemon=True)
        self.http = urllib3.PoolManager(maxsize=2)
        self.url = f"{es_url.rstrip('/')}/{alias}/_search"
        self.pending: dict[int, tuple[int, float, Phase]] = {}
        self.lock = threading.Lock()
        self.stopping = False
        self.last_seen = 0.0
        self.errors = 0

    def watch(self, product_id: int, version: int, acked: float, phase: Phase) -> None:
        with self.lock:
            current = self.pending.get(product_id)
            if current is None or current[0] < version:
                self.pending[product_id] = (version, acked, phase)

    def run(self) -> None:
        while not self.stopping:
            with self.lock:
                wanted = dict(self.pending)
            ids = list(wanted)
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                body = {
                    "query": {"ids": {"values": [str(i) for i in chunk]}},
                    "_source": ["version"],
                    "size": len(chunk),
                }
                try:
                    response = self.http.request(
                        "POST",
                        self.url,
                        body=json.dumps(body),
                        headers={"Content-Type": "application/json"},
                        timeout=10,
                    )
                    now = time.perf_counter()
                    hits = json.loads(response.data)["hits"]["hits"]
                except Exception:  # Elasticsearch restarted under us: poll again
                    self.errors += 1
                    continue
                with self.lock:
                    for hit in hits:
                        product_id = int(hit["_id"])
                        entry = self.pending.get(product_id)
                        if entry and hit["_source"]["version"] >= entry[0]:
                            entry[2].searchable_lags.append(now - entry[1])
                            del self.pending[product_id]
                            self.last_seen = now
            time.sleep(POLL_SECONDS)

    def wait_empty(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if not self.pending:
                    return True
            time.sleep(0.05)
        return False


class Load:
    def __init__(
        self, token: str, poller: Poller, existing_ids: list[int], categories: list[str], brands: list[str]
    ):
        self.base = f"http://127.0.0.1:{env.WEB_PORT}"
        self.http = urllib3.PoolManager(maxsize=64)
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.poller = poller
        self.ids = existing_ids
        self.categories = categories
        self.brands = brands
        self.counter = 0
        self.run_id = int(time.time())
        self.lock = threading.Lock()
        self.rng = random.Random(11)

    def _next(self) -> tuple[int, int]:
        with self.lock:
            self.counter += 1
            return self.counter, self.rng.randrange(1 << 30)

    def command(self, phase: Phase, scheduled: float) -> None:
        number, luck = self._next()
        if number % 2:
            body = {
                "sku": f"BENCH-LAG-{self.run_id}-{number}",
                "name": f"Bench Lag Product {number}",
                "description": "A product created by the projection-lag benchmark.",
                "brand": self.brands[luck % len(self.brands)],
                "category": self.categories[luck % len(self.categories)],
                "price": f"{10 + luck % 500}.99",
                "stock": luck % 100,
            }
            method, url = "POST", f"{self.base}/api/products/"
        else:
            product_id = self.ids[luck % len(self.ids)]
            body = {"stock": luck % 300, "price": f"{5 + luck % 900}.49"}
            method, url = "PATCH", f"{self.base}/api/products/{product_id}/"
        phase.sent += 1
        try:
            response = self.http.request(method, url, body=json.dumps(body), headers=self.headers, timeout=30)
        except Exception:
            phase.failed += 1
            return
        acked = time.perf_counter()
        if response.status not in (200, 201):
            phase.failed += 1
            return
        data = json.loads(response.data)
        phase.ok += 1
        phase.latencies.append(acked - scheduled)
        self.poller.watch(int(data["id"]), int(data["version"]), acked, phase)

    def fixed_rate(self, phase: Phase) -> None:
        interval = 1 / phase.target_rate
        total = int(phase.seconds * phase.target_rate)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=48) as pool:
            for i in range(total):
                scheduled = started + i * interval
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(self.command, phase, scheduled)
        phase.achieved_rate = phase.ok / (time.perf_counter() - started)

    def closed_loop(self, phase: Phase, *, threads: int, count: int | None = None) -> None:
        started = time.perf_counter()
        deadline = started + phase.seconds
        remaining = [count]

        def loop() -> None:
            while True:
                with self.lock:
                    if remaining[0] is not None:
                        if remaining[0] <= 0:
                            return
                        remaining[0] -= 1
                if count is None and time.perf_counter() >= deadline:
                    return
                self.command(phase, time.perf_counter())

        workers = [threading.Thread(target=loop) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        phase.achieved_rate = phase.ok / (time.perf_counter() - started)


def _outbox_lags(since, until) -> list[float]:
    from projection.models import OutboxEntry

    rows = OutboxEntry.objects.filter(
        committed_at__gte=since, committed_at__lte=until, processed_at__isnull=False
    ).values_list("committed_at", "processed_at")
    return [(done - committed).total_seconds() for committed, done in rows]


def run(
    token: str,
    *,
    rates: list[float],
    seconds: float,
    burst: int,
    max_threads: int = 8,
    warmup: int = WARMUP_COMMANDS,
) -> list[Phase]:
    from django.conf import settings
    from django.utils import timezone

    from catalog.models import Brand, Category, Product

    ids = list(
        Product.objects.order_by("pk").values_list("pk", flat=True)[
            :: max(1, Product.objects.count() // 20000)
        ]
    )
    leaves = list(Category.objects.filter(children__isnull=True).values_list("slug", flat=True))
    brands = list(Brand.objects.values_list("slug", flat=True))
    poller = Poller(settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_INDEX_ALIAS)
    poller.start()
    load = Load(token, poller, ids, leaves, brands)
    phases = []
    try:
        print(f"  lag: warm-up of {warmup} commands (not reported)", flush=True)
        load.closed_loop(Phase("warm-up", None, 0), threads=max_threads, count=warmup)
        poller.wait_empty(60)
        plan = [Phase(f"{rate:g}/s", rate, seconds) for rate in rates] + [Phase("max", None, seconds)]
        for phase in plan:
            print(f"  lag: {phase.name} for {seconds:g}s", flush=True)
            since = timezone.now()
            if phase.target_rate:
                load.fixed_rate(phase)
            else:
                load.closed_loop(phase, threads=max_threads)
            poller.wait_empty(60)
            time.sleep(1.0)
            phase.outbox_lags = _outbox_lags(since, timezone.now())
            phases.append(phase)
        phase = Phase(f"burst of {burst:,}", None, 0)
        print(f"  lag: burst of {burst:,} commands", flush=True)
        since = timezone.now()
        started = time.perf_counter()
        load.closed_loop(phase, threads=max_threads, count=burst)
        phase.seconds = time.perf_counter() - started
        if poller.wait_empty(600):
            phase.all_searchable_seconds = poller.last_seen - started
        time.sleep(1.0)
        phase.outbox_lags = _outbox_lags(since, timezone.now())
        phases.append(phase)
    finally:
        poller.stopping = True
        poller.join(timeout=5)
    for phase in phases:
        phase.unseen = phase.ok - len(phase.searchable_lags)
    return phases


def summarize(phase: Phase) -> dict[str, float]:
    ms = 1000
    return {
        "p50_latency": percentile(phase.latencies, 50) * ms,
        "p99_latency": percentile(phase.latencies, 99) * ms,
        "lag_p50": percentile(phase.searchable_lags, 50) * ms,
        "lag_p99": percentile(phase.searchable_lags, 99) * ms,
        "lag_max": max(phase.searchable_lags, default=float("nan")) * ms,
        "outbox_p50": percentile(phase.outbox_lags, 50) * ms,
        "outbox_p99": percentile(phase.outbox_lags, 99) * ms,
        "outbox_max": max(phase.outbox_lags, default=float("nan")) * ms,
    }
