"""Section 1: full reindex of N products from MySQL into a new index. Ours (`search_index
rebuild`) vs django-elasticsearch-dsl (`search_index --rebuild -f`, with and without
`--parallel`) vs the raw ceiling (bench.raw_bulk). Each indexer is its own process, so its wall
time and peak RSS are its own; runs are interleaved so machine noise hits all of them alike."""

import json
import time
from dataclasses import dataclass, field

from . import env, procs
from .stats import Spread, spread

RAW_CONFIGS = [("bulk", 1000, 1), ("parallel", 500, 2), ("parallel", 1000, 2), ("parallel", 1000, 3)]


@dataclass
class ReindexResult:
    products: int
    docs: int
    startup: Spread
    runs: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    raw_sweep: dict[str, float] = field(default_factory=dict)
    raw_best: str = ""
    skipped: list[str] = field(default_factory=list)

    def add(self, name: str, seconds: float, rss_mb: float, indexing_seconds: float) -> None:
        run = self.runs.setdefault(name, {"seconds": [], "rss": [], "docs_per_s": []})
        run["seconds"].append(seconds)
        run["rss"].append(rss_mb)
        run["docs_per_s"].append(self.docs / max(indexing_seconds, 1e-9))


def _raw(helper: str, chunk: int, threads: int) -> tuple[float, float, float]:
    measured = procs.measure(
        [
            env.PYTHON,
            "-m",
            "bench.raw_bulk",
            "--helper",
            helper,
            "--chunk",
            str(chunk),
            "--threads",
            str(threads),
        ],
        show_progress=False,
    )
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    return result["seconds"], measured.peak_rss_mb, measured.seconds


def raw_label(helper: str, chunk: int, threads: int) -> str:
    return f"bulk chunk={chunk}" if helper == "bulk" else f"parallel_bulk chunk={chunk} threads={threads}"


def _settle() -> None:
    """Our rebuild replays every product changed within 30 s before it started (REBUILD_REPLAY_MARGIN)
    into the new index; rows just bulk-loaded would all be replayed once, which is not a steady
    state. Wait until the newest row is older than that margin."""
    from django.db.models import Max
    from django.utils import timezone

    from catalog.models import Product
    from projection.maintenance import REBUILD_REPLAY_MARGIN

    newest = Product.objects.aggregate(newest=Max("updated_at"))["newest"]
    if newest is not None:
        wait = (newest + REBUILD_REPLAY_MARGIN - timezone.now()).total_seconds() + 1
        if wait > 0:
            print(
                f"  waiting {wait:.0f} s for the newest rows to leave the rebuild's replay window", flush=True
            )
            time.sleep(wait)


def run(
    products: int,
    *,
    repeat: int,
    peers: bool = True,
    raw: bool = True,
    settle: bool = True,
    raw_configs: list[tuple[str, int, int]] = RAW_CONFIGS,
) -> ReindexResult:
    from catalog.models import Product, ProductTombstone

    docs = Product.objects.count() + ProductTombstone.objects.count()
    # Django start-up, paid by both management commands, is measured and taken off their
    # indexing rate (their wall time is shown as measured).
    startup = spread(
        [
            procs.measure(env.manage("shell", "-c", "pass"), show_progress=False).seconds
            for _ in range(1 if repeat == 1 else 3)
        ]
    )
    result = ReindexResult(products=products, docs=docs, startup=startup)
    best = None
    if raw:
        for config in raw_configs:
            seconds, _, _ = _raw(*config)
            result.raw_sweep[raw_label(*config)] = docs / seconds
        best_label = max(result.raw_sweep, key=result.raw_sweep.get)
        best = next(c for c in raw_configs if raw_label(*c) == best_label)
        result.raw_best = best_label
    if settle:
        _settle()
    for attempt in range(repeat):
        print(f"  reindex {products:,}: repeat {attempt + 1}/{repeat}", flush=True)
        measured = procs.measure(env.manage("search_index", "rebuild"))
        result.add("ours", measured.seconds, measured.peak_rss_mb, measured.seconds - startup.median)
        if peers:
            for name, extra in (
                ("django-elasticsearch-dsl", []),
                ("django-elasticsearch-dsl --parallel", ["--parallel"]),
            ):
                measured = procs.measure(env.manage("dedsl_search_index", "--rebuild", "-f", *extra))
                result.add(name, measured.seconds, measured.peak_rss_mb, measured.seconds - startup.median)
        if best is not None:
            seconds, rss, _ = _raw(*best)
            result.add(f"raw ceiling ({result.raw_best})", seconds, rss, seconds)
    if not peers:
        result.skipped.append("django-elasticsearch-dsl (not run at this size)")
    if not raw:
        result.skipped.append("raw ceiling (not run at this size)")
    return result
