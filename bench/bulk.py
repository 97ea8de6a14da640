"""Section 5: bulk ingest through the API. N new products are sent to
`POST /api/products/bulk/` in requests of `batch` create operations by `clients` concurrent
clients, with gunicorn and a Celery worker running as in section 2. Reported:
- products acknowledged per second: N / (first request sent -> last answer received);
- time until all are searchable: from the first request until a `_count` of the alias (only
  refreshed documents count; refresh_interval 1 s), polled every 100 ms, has grown by N;
- the projection lag from the outbox (commit -> indexed, p50 / p99 / max);
- side by side, our rebuild over the same catalog right after (`search_index rebuild`, its wall
  time including Django's start-up): the rate at which this machine gets documents into
  Elasticsearch at all, the ceiling for the ingest."""

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import urllib3
from tqdm import tqdm

from . import env, procs
from .stats import percentile

# Demo product numbers far above any loaded catalog's, so the skus are new.
FIRST_NUMBER = 50_000_000


@dataclass
class Ingest:
    products: int
    batch: int
    clients: int
    acked: int = 0
    refused: int = 0
    failed_requests: int = 0
    ack_seconds: float = 0.0
    searchable_seconds: float | None = None
    request_seconds: list[float] = field(default_factory=list)
    outbox_lags: list[float] = field(default_factory=list)
    rebuild_docs: int = 0
    rebuild_seconds: float = 0.0

    def summary(self) -> dict[str, float]:
        ms = 1000
        return {
            "acked_per_s": self.acked / self.ack_seconds if self.ack_seconds else float("nan"),
            "searchable_s": self.searchable_seconds if self.searchable_seconds is not None else float("nan"),
            "searchable_per_s": self.acked / self.searchable_seconds
            if self.searchable_seconds
            else float("nan"),
            "request_p50_ms": percentile(self.request_seconds, 50) * ms,
            "request_p99_ms": percentile(self.request_seconds, 99) * ms,
            "outbox_p50_ms": percentile(self.outbox_lags, 50) * ms,
            "outbox_p99_ms": percentile(self.outbox_lags, 99) * ms,
            "outbox_max_ms": max(self.outbox_lags, default=float("nan")) * ms,
            "rebuild_per_s": self.rebuild_docs / self.rebuild_seconds
            if self.rebuild_seconds
            else float("nan"),
        }


def run(token: str, *, products: int, batch: int, clients: int, wait_seconds: float = 1800) -> Ingest:
    from django.conf import settings
    from django.utils import timezone

    from catalog import demo
    from catalog.models import Brand, Category, Product

    brands = {brand.name: brand.slug for brand in Brand.objects.all()}
    categories = {category.name: category.slug for category in Category.objects.all()}
    operations = [
        {
            "op": "create",
            "product": {
                **item.product_fields(brands=brands, categories=categories),
                "price": str(item.price),
            },
        }
        for item in demo.demo_products(products, seed=7, start=FIRST_NUMBER)
    ]
    chunks = [operations[start : start + batch] for start in range(0, products, batch)]
    bodies = [json.dumps(chunk) for chunk in chunks]
    result = Ingest(products=products, batch=batch, clients=clients)
    http = urllib3.PoolManager(maxsize=clients)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    url = f"http://127.0.0.1:{env.WEB_PORT}/api/products/bulk/"

    def send(body: str) -> None:
        sent = time.perf_counter()
        response = http.request("POST", url, body=body, headers=headers, timeout=600)
        result.request_seconds.append(time.perf_counter() - sent)
        if response.status != 200:
            result.failed_requests += 1
            print(f"  bulk: HTTP {response.status}: {response.data[:300]!r}", flush=True)
            return
        items = json.loads(response.data)["items"]
        result.acked += sum(item["status"] == 201 for item in items)
        result.refused += sum(item["status"] >= 400 for item in items)

    count_url = f"{settings.ELASTICSEARCH_URL.rstrip('/')}/{settings.ELASTICSEARCH_INDEX_ALIAS}/_count"

    def searchable() -> int:
        return json.loads(http.request("GET", count_url).data)["count"]

    before = searchable()
    since = timezone.now()
    print(f"  bulk: {products:,} products, {len(bodies)} requests of {batch}, {clients} clients", flush=True)
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool, tqdm(total=products, desc="bulk ingest", unit="product") as bar:
        for chunk, _ in zip(chunks, pool.map(send, bodies), strict=True):
            bar.update(len(chunk))
    result.ack_seconds = time.perf_counter() - started
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if searchable() >= before + result.acked:
            result.searchable_seconds = time.perf_counter() - started
            break
        time.sleep(0.1)
    time.sleep(1.0)
    from .lag import _outbox_lags

    result.outbox_lags = _outbox_lags(since, timezone.now())
    print("  bulk: our rebuild of the same catalog", flush=True)
    result.rebuild_docs = Product.objects.count()
    result.rebuild_seconds = procs.measure(env.manage("search_index", "rebuild"), show_progress=False).seconds
    return result


def section(ingest: Ingest | None) -> list[str]:
    if ingest is None:
        return []
    figures = ingest.summary()
    out = [
        "## 5. Bulk ingest through the API",
        "",
        __doc__.removeprefix("Section 5: bulk ingest through the API. "),
        "",
    ]
    requests = len(ingest.request_seconds)
    f = {name: f"{value:,.0f}" for name, value in figures.items()}
    out += [
        f"{ingest.products:,} products in {requests} requests of {ingest.batch:,} by {ingest.clients} "
        f"clients; {ingest.acked:,} acknowledged, {ingest.refused:,} refused, {ingest.failed_requests} "
        "requests failed.",
        "",
        "| figure | value |",
        "| --- | ---: |",
        f"| acknowledged, products/s | {figures['acked_per_s']:,.0f} |",
        f"| first request -> last answer, s | {ingest.ack_seconds:,.1f} |",
        f"| first request -> all searchable, s | {figures['searchable_s']:,.1f} |",
        f"| searchable, products/s | {figures['searchable_per_s']:,.0f} |",
        f"| bulk request latency p50 / p99, ms | {f['request_p50_ms']} / {f['request_p99_ms']} |",
        "| projection lag (outbox commit -> indexed) p50 / p99 / max, ms | "
        f"{f['outbox_p50_ms']} / {f['outbox_p99_ms']} / {f['outbox_max_ms']} |",
        f"| our rebuild of the {ingest.rebuild_docs:,} products after it, docs/s (wall, start-up included) | "
        f"{figures['rebuild_per_s']:,.0f} |",
        "",
    ]
    return out
