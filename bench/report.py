"""Collects the results of all sections and renders docs/benchmarks.md."""

import json
import os
import platform
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from . import bulk, command_costs, env, lag, layouts, process_model, profiling
from .stats import spread


@dataclass
class Results:
    command: str
    smoke: bool
    sizes: list[int]
    rebuild_only: list[int]
    web_model: str = "3 sync workers"  # our gunicorn in the query and lag sections
    reindex: dict = field(default_factory=dict)
    queries: dict = field(default_factory=dict)
    lag: list = field(default_factory=list)
    lag_products: int = 0
    bulk: Any = None  # bench.bulk.Ingest
    layouts: Any = None  # bench.layouts.LayoutComparison
    process_models: Any = None  # bench.process_model.ProcessModels
    command_costs: list = field(default_factory=list)
    workers: list = field(default_factory=list)
    workers_products: int = 0
    profiles: dict = field(default_factory=dict)
    minutes: float = 0.0
    failure: str = ""
    load_before: str = field(default_factory=lambda: _loadavg())


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(
        next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    )
    from django.conf import settings
    from django.db import connection

    with urllib.request.urlopen(f"{settings.ELASTICSEARCH_URL.rstrip('/')}/_nodes/_local/jvm") as response:
        node = next(iter(json.load(response)["nodes"].values()))
    with connection.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        mariadb = cursor.fetchone()[0]
    wrk = "wrk not installed"
    if shutil.which("wrk"):
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("[")[0].strip()
    heap = node["jvm"]["mem"]["heap_max_in_bytes"] / 2**30
    return [
        f"- CPU: {cpu}, `nproc` = {os.cpu_count()}; RAM {mem_kb / 2**20:.1f} GiB; {platform.platform()}",
        f"- Python {platform.python_version()}, Django {version('django')}, "
        f"DRF {version('djangorestframework')}, "
        f"gunicorn {version('gunicorn')}, Celery {version('celery')}",
        f"- Elasticsearch server {node['version']} (1 node, heap {heap:.1f} GiB, 1 shard, 0 replicas), "
        f"client elasticsearch-py {version('elasticsearch')}, "
        f"django-elasticsearch-dsl {version('django-elasticsearch-dsl')}",
        f"- MariaDB {mariadb}; {wrk}; py-spy {version('py-spy')}",
    ]


def _fmt_ms(value: float) -> str:
    return "n/a" if value != value else f"{value:,.1f}"


def _reindex_section(results: Results) -> list[str]:
    out = ["## 1. Full reindex from MySQL into a new index", ""]
    out += [
        "Each indexer runs as its own process; wall time is the whole command (Django start-up "
        "included, about the `startup` figure); docs/s is documents / (wall - startup) for the two "
        "management commands, and documents / send time for the raw ceiling, whose documents are "
        "built in memory first (untimed; its RSS therefore holds every document). Peak RSS is the "
        "kernel's `ru_maxrss` of the process (`os.wait4`). Median (min-max) over the repeats.",
        "",
    ]
    for size, result in sorted(results.reindex.items()):
        out += [
            f"### {size:,} products ({result.docs:,} documents; startup {result.startup.fmt(2, ' s')})",
            "",
        ]
        out += ["| indexer | wall (s) | docs/s | peak RSS (MB) |", "| --- | ---: | ---: | ---: |"]
        for name, run in result.runs.items():
            out.append(
                f"| {name} | {spread(run['seconds']).fmt(1)} | {spread(run['docs_per_s']).fmt(0)} | "
                f"{spread(run['rss']).fmt(0)} |"
            )
        ours = spread(result.runs["ours"]["docs_per_s"]).median
        ratios = []
        for name, run in result.runs.items():
            if name != "ours":
                ratios.append(f"ours / {name}: **{ours / spread(run['docs_per_s']).median:.2f}x** docs/s")
        if ratios:
            out += ["", "Ratios: " + "; ".join(ratios) + "."]
        if result.raw_sweep:
            sweep = ", ".join(f"{label}: {rate:,.0f}" for label, rate in result.raw_sweep.items())
            out += ["", f"Raw ceiling sweep (docs/s, one run each; best used above): {sweep}."]
        if result.skipped:
            out += ["", "Not run at this size: " + "; ".join(result.skipped) + "."]
        out.append("")
    return out


def _lag_section(results: Results) -> list[str]:
    out = ["## 2. Projection lag under write load", ""]
    out += [
        f"gunicorn ({results.web_model}) and one Celery worker (`--concurrency 2`, no beat) against the "
        f"bench database ({results.lag_products:,} products at the start); commands are half creates "
        "(`POST /api/products/`), half partial updates (`PATCH /api/products/<id>/`), token auth, "
        f"after a warm-up of {lag.WARMUP_COMMANDS} commands that is not reported. "
        "Fixed rates are open loop (latency from each command's scheduled time); `max` and the burst "
        "are closed loop with 8 threads. *ack -> searchable* is measured by polling `_search` every "
        "50 ms for each acknowledged (id, version) (so it includes the 1 s refresh interval; it starts at "
        "the HTTP response, a little after the commit); *commit -> indexed* is the outbox row's "
        "`processed_at - committed_at` (bulk write acknowledged, before the refresh). One run per "
        "phase; percentiles over all its commands. Milliseconds.",
        "",
        "| phase | commands/s achieved | ok / failed | latency p50 / p99 | "
        "ack -> searchable p50 / p99 / max | "
        "outbox commit -> indexed p50 / p99 / max |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for phase in results.lag:
        s = lag.summarize(phase)
        out.append(
            f"| {phase.name} | {phase.achieved_rate:,.1f} | {phase.ok:,} / {phase.failed:,} | "
            f"{_fmt_ms(s['p50_latency'])} / {_fmt_ms(s['p99_latency'])} | "
            f"{_fmt_ms(s['lag_p50'])} / {_fmt_ms(s['lag_p99'])} / {_fmt_ms(s['lag_max'])} | "
            f"{_fmt_ms(s['outbox_p50'])} / {_fmt_ms(s['outbox_p99'])} / {_fmt_ms(s['outbox_max'])} |"
        )
    for phase in results.lag:
        if phase.name.startswith("burst"):
            until = (
                "never (timed out)"
                if phase.all_searchable_seconds is None
                else f"{phase.all_searchable_seconds:,.1f} s"
            )
            out += [
                "",
                f"**Burst**: {phase.ok:,} commands sent in {phase.seconds:,.1f} s (closed loop, 8 threads); "
                f"time from the first command until all were searchable: **{until}**.",
            ]
    unseen = sum(max(0, phase.unseen) for phase in results.lag)
    out += [
        "",
        f"Acknowledged writes whose own version was never seen because a newer update of the same "
        f"product superseded it first: {unseen:,} (their lag is counted by the newer write).",
        "",
    ]
    return out


def _workers_section(results: Results) -> list[str]:
    if not results.workers:
        return []
    out = ["## 2b. Projection throughput by worker processes", ""]
    out += [
        f"A backlog of {results.workers_products:,} changes (every product of the bench catalog moved to "
        "its next version in one transaction) drained by 1, 2 and 4 Celery worker processes "
        "(`--concurrency 1` each), ready and idle beforehand; seconds from the commit until the outbox is "
        "empty. *Indexed* and *bulk requests* are the workers' shared counters: indexed equal to the "
        "changes means no change was written twice.",
        "",
        "| worker processes | seconds | changes/s | vs 1 worker | indexed | bulk requests |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    single = results.workers[0].rate
    for drain in results.workers:
        out.append(
            f"| {drain.workers} | {drain.seconds:,.1f} | {drain.rate:,.0f} | {drain.rate / single:.2f}x | "
            f"{drain.indexed:,} | {drain.bulk_requests:,} |"
        )
    out.append("")
    return out


def _query_section(results: Results) -> list[str]:
    from .queries import (
        CORRECTIONS,
        FLOOR_KIND,
        FLOOR_TARGET,
        KINDS,
        TARGETS,
        UNLOADED,
        UNLOADED_TARGETS,
        load_tool,
    )

    out = ["## 3. Query latency and throughput under concurrent load", ""]
    any_result = next(iter(results.queries.values()), None)
    if any_result is None:
        return out
    out += [
        f"Load tool: {load_tool()}, {any_result.connections} connections (2 threads), "
        f"{any_result.seconds} s per measurement after a 1 s warm-up, rotating through 60 deterministic "
        f"requests per kind. *ours*: the API on gunicorn ({results.web_model}); *raw Elasticsearch*: the"
        " identical HTTP requests our code sends for the same 60 API calls (captured from the real "
        "view), straight to Elasticsearch; *MySQL icontains*: the plain DRF + ORM endpoints in "
        "`bench/peer/views.py` on a gunicorn of their own (3 sync workers), started afresh for each"
        " measurement and primed with gets, then killed with the queries it left in MariaDB, so an "
        "abandoned scan cannot slow the next figure (search = `icontains` on name, sku, brand, category"
        " and description per word + brand/category/in-stock facet counts; suggest = `icontains` on "
        "name per word). get = one product by id; list = category + in_stock (+ brand, + price range) "
        "filters; search = text + facets + highlights; suggest = prefixes. wrk runs on the same 2 "
        "cores. *Django floor*: `/healthz`, a bare Django view on our gunicorn, measured once per "
        "repeat: the most requests/s the process model serves. Median (min-max) over the repeats; "
        "latencies in ms.",
        "",
    ]
    for size, result in sorted(results.queries.items()):
        out += [f"### {size:,} products", ""]
        out += ["| query | target | requests/s | p50 (ms) | p99 (ms) |", "| --- | --- | ---: | ---: | ---: |"]
        for kind, target in [(FLOOR_KIND, FLOOR_TARGET), *((k, t) for k in KINDS for t in TARGETS)]:
            if target not in result.runs.get(kind, {}):
                continue
            rps = result.metric(kind, target, "rps")
            if rps.high == 0:
                out.append(f"| {kind} | {target} | 0 | none finished within {result.seconds} s | n/a |")
                continue
            out.append(
                f"| {kind} | {target} | {rps.fmt(1 if rps.high < 10 else 0)} | "
                f"{result.metric(kind, target, 'p50').fmt(1)} | "
                f"{result.metric(kind, target, 'p99').fmt(1)} |"
            )
        out += [
            "",
            "| query | ours p99 / raw ES p99 | ours p50 - raw ES p50 (ms) | ours p99 / icontains p99 "
            "| ours req/s / Django floor req/s |",
        ]
        out.append("| --- | ---: | ---: | ---: | ---: |")
        floor = result.metric(FLOOR_KIND, FLOOR_TARGET, "rps")
        for kind in KINDS:
            ours99 = result.metric(kind, "ours", "p99").median
            raw99 = result.metric(kind, "raw Elasticsearch", "p99").median
            added = (
                result.metric(kind, "ours", "p50").median
                - result.metric(kind, "raw Elasticsearch", "p50").median
            )
            icontains = result.metric(kind, "MySQL icontains", "p99")
            finished = icontains.n and icontains.median
            versus = f"{ours99 / icontains.median:.3f}x" if finished else "n/a (no request finished)"
            of_floor = f"{result.metric(kind, 'ours', 'rps').median / floor.median:.0%}" if floor.n else "n/a"
            out.append(f"| {kind} | {ours99 / raw99:.2f}x | {added:+.1f} | {versus} | {of_floor} |")
        if result.unloaded:
            out += [
                "",
                f"With {UNLOADED} (one client, nothing queues for a worker or a core): the time our "
                "code adds to one request is ours p50 - raw ES p50.",
                "",
                "| query | ours p50 / p99 (ms) | raw ES p50 / p99 (ms) | ours p50 - raw ES p50 (ms) "
                "| ours req/s | raw ES req/s |",
                "| --- | ---: | ---: | ---: | ---: | ---: |",
            ]
            for kind in KINDS:
                ours, raw = (
                    result.figures(kind, target, table=result.unloaded) for target in UNLOADED_TARGETS
                )
                out.append(
                    f"| {kind} | {ours['p50'].fmt(1)} / {ours['p99'].fmt(1)} | {raw['p50'].fmt(1)} / "
                    f"{raw['p99'].fmt(1)} | {ours['p50'].median - raw['p50'].median:+.1f} | "
                    f"{ours['rps'].fmt(0)} | {raw['rps'].fmt(0)} |"
                )
        if result.revalidated:
            out += [
                "",
                "Revalidated: the same requests carrying the If-None-Match of the answer ours gave, as "
                "nginx or a CDN sends when its copy is stale; ours answers 304 Not Modified (a get "
                "still reads the product's version from Elasticsearch; the others compare the read "
                f"side's generation and send no query). {result.connections} connections.",
                "",
                "| query | full answer: req/s, p50 / p99 (ms) | 304: req/s, p50 / p99 (ms) "
                "| 304 req/s / full | 304 req/s / Django floor |",
                "| --- | ---: | ---: | ---: | ---: |",
            ]
            for kind in KINDS:
                full = result.figures(kind, "ours")
                cached = result.figures(kind, "ours", table=result.revalidated)
                of_floor = f"{cached['rps'].median / floor.median:.0%}" if floor.n else "n/a"
                out.append(
                    f"| {kind} | {full['rps'].fmt(0)}, {full['p50'].fmt(1)} / {full['p99'].fmt(1)} | "
                    f"{cached['rps'].fmt(0)}, {cached['p50'].fmt(1)} / {cached['p99'].fmt(1)} | "
                    f"{cached['rps'].median / full['rps'].median:.1f}x | {of_floor} |"
                )
        if result.errors:
            out += ["", "Errors during the runs: " + "; ".join(result.errors)]
        if result.corrections:
            out += [
                "",
                "Searches by how they are answered (`bench.queries.CORRECTIONS`): found as typed, or "
                "finding nothing and answered by a correction, one request at a time to ours (ms):",
                "",
                "| search | examples | p50 | p99 |",
                "| --- | --- | ---: | ---: |",
            ]
            out += [
                f"| {way} | {', '.join(CORRECTIONS[way])} | {took['p50']:.1f} | {took['p99']:.1f} |"
                for way, took in result.corrections.items()
            ]
        if result.long_words:
            out += [
                "",
                "A search of one random word by its length (`bench.queries.long_word_searches`): our "
                "API's whole answer (it finds nothing, so did-you-mean runs too), and Elasticsearch's "
                "`took` for the query part as sent (words past 24 letters match without typos) and "
                "with every word fuzzy, as before (ms):",
                "",
                "| letters | ours p50 | took, as sent | took, every word fuzzy |",
                "| ---: | ---: | ---: | ---: |",
            ]
            out += [
                f"| {length} | {figures['ours p50']:.1f} | {figures['took as sent']:.0f} | "
                f"{figures['took every word fuzzy']:.0f} |"
                for length, figures in result.long_words.items()
            ]
        if result.ablation:
            full = result.ablation.get("as sent (ours)") or float("nan")
            out += [
                "",
                "Where a search's Elasticsearch time goes: the captured bodies of the first search "
                "requests sent straight to Elasticsearch with one part changed (Elasticsearch's `took`, "
                "median, ms):",
                "",
                "| search body | took (ms) | vs as sent |",
                "| --- | ---: | ---: |",
            ]
            out += [
                f"| {name} | {took:,.0f} | {took / full:.2f}x |" for name, took in result.ablation.items()
            ]
        out.append("")
    return out


def _scaling_section(results: Results) -> list[str]:
    out = ["## 4. Scaling", "", "Our figures across catalog sizes (medians).", ""]
    out += [
        "| products | rebuild wall (s) | rebuild docs/s | µs per document | rebuild peak RSS (MB) | "
        "get p99 | list p99 | search p99 | suggest p99 (ms) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, result in sorted(results.reindex.items()):
        run = result.runs["ours"]
        rate = spread(run["docs_per_s"]).median
        query = results.queries.get(size)
        p99 = [
            query.metric(kind, "ours", "p99").fmt(1) if query else "not run"
            for kind in ("get", "list", "search", "suggest")
        ]
        out.append(
            f"| {size:,} | {spread(run['seconds']).fmt(1)} | {rate:,.0f} | {1e6 / rate:,.0f} | "
            f"{spread(run['rss']).fmt(0)} | " + " | ".join(p99) + " |"
        )
    out.append("")
    return out


def _profile_section(results: Results) -> list[str]:
    if not results.profiles:
        return []
    out = ["## Profiles (py-spy, wall clock, idle included)", ""]
    for title, (note, groups, rows) in results.profiles.items():
        out += [f"### {title}", "", note, "", profiling.bucket_table(groups), "", "Top frames:", ""]
        out += [profiling.table(rows), ""]
    return out


NOTES_START, NOTES_END = "<!-- notes:start -->", "<!-- notes:end -->"


def kept_notes(path: Path) -> list[str]:
    """Hand-written analysis between the notes markers of the existing file survives a re-run."""
    if not path.exists():
        return []
    text = path.read_text()
    if NOTES_START not in text or NOTES_END not in text:
        return []
    inner = text.split(NOTES_START, 1)[1].split(NOTES_END, 1)[0].strip("\n")
    return [NOTES_START, inner, NOTES_END, ""]


def render(results: Results, notes: list[str] | None = None) -> str:
    out = ["# Benchmarks", ""]
    if results.smoke:
        out += ["**SMOKE RUN (tiny N): these figures mean nothing.**", ""]
    out += [
        "Every figure below comes from one run of the harness, all peers side by side on the same MariaDB "
        "and Elasticsearch, so the machine's noise mostly cancels out in the ratios.",
        "",
        "```sh",
        f"{results.command}    # make bench N=... runs `python -m bench --products N`",
        "```",
        "",
        "## Machine and versions",
        "",
        *machine(),
        f"- Load average before / after the run: {results.load_before} / {_loadavg()}; the run took "
        f"{results.minutes:.0f} min. Two cores are shared by the code under test, Elasticsearch, MariaDB, "
        "Redis and the load generator, so absolute figures are modest and noisy; trust the side-by-side "
        "ratios more.",
        "- The local Elasticsearch is the integ-test-zip distribution; ours analyses with stock "
        "components (which the project's plugin provides there, as analysis-common does elsewhere), "
        "the django-elasticsearch-dsl peer indexes the same fields with the built-in `standard` "
        "analyzer, which is cheaper per document than ours (stemming, folding, edge n-grams).",
        "- Bench-only database `catalog_bench_*` and `bench-*` indices and Celery queue; dropped at the end.",
        "",
    ]
    if results.failure:
        out += [
            f"**The run stopped early ({results.failure}); the sections below hold what it measured.**",
            "",
        ]
    out += notes or []
    out += _reindex_section(results)
    out += _lag_section(results)
    out += command_costs.section(results.command_costs)
    out += _workers_section(results)
    out += _query_section(results)
    out += process_model.section(results.process_models)
    out += _scaling_section(results)
    out += _profile_section(results)
    out += layouts.section(results.layouts)
    out += bulk.section(results.bulk)
    return "\n".join(out) + "\n"


def profile_api(web, size: int, logs: Path, *, seconds: int) -> dict:
    """Profile the gunicorn workers while wrk drives our search and get endpoints."""
    from . import queries

    profiles = {}
    workload = queries.workload()
    paths = queries._paths(workload)["ours"]
    for kind in ("search", "get"):
        output = logs / f"api-{kind}.txt"
        recorder = profiling.record_pid(web.process.pid, output, seconds=seconds + 1)
        time.sleep(0.5)
        queries._wrk(
            f"http://127.0.0.1:{env.WEB_PORT}",
            [("GET", p, "") for p in paths[kind]],
            seconds=seconds,
            connections=4,
        )
        recorder.wait(timeout=seconds + 30)
        within = "get_response (django/core/handlers/base.py)"
        rows = profiling.summarize(output, within=within, top=20)
        groups = profiling.buckets(output, within=within)
        note = (
            f"gunicorn workers under wrk ({kind}, {size:,} products, {seconds} s), only stacks inside "
            "Django's `get_response`; share of request wall time."
        )
        profiles[f"API {kind} request at {size:,} products"] = (note, groups, rows)
    return profiles


def profile_rebuild(size: int, logs: Path) -> dict:
    output = logs / "rebuild.txt"
    profiling.record_command(env.manage("search_index", "rebuild"), output)
    within = "rebuild (projection/maintenance.py)"
    rows = profiling.summarize(output, within=within, top=20)
    groups = profiling.buckets(output, within=within)
    note = f"`manage.py search_index rebuild` at {size:,} products, stacks inside `maintenance.rebuild`."
    return {f"search_index rebuild at {size:,} products": (note, groups, rows)}
