"""python -m bench.analytics --products N [--seconds 10] [--repeat 4]

Search latency with search analytics recording on and off (issue 14: within 1 ms at p50). The
same search requests as the queries section of `python -m bench` go to our API on gunicorn,
started afresh with ANALYTICS_ENABLED=true or false, the two alternating (on, off, off, on, ...)
so the machine's drift falls on both alike. Recording on, every search pushes its record to the
broker Redis (no flush runs meanwhile: the flush is a beat task in another process). Then the
same searches in-process (Django's test client, no HTTP), recording switched on and off for
every other request, which cancels the drift of a busy machine far better. Also measured
in-process: the cost of one hand-over (`search.recording.record_search`) to a live
Redis, and to one that refuses connections (the sink then pauses). Uses its own bench database,
indices and Redis list, removed at the end; prints a markdown table."""

import argparse
import os
import shlex
import sys
import tempfile
import time

from . import env

RUNS = ("on", "off")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.analytics", description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10, help="load duration per measurement")
    parser.add_argument(
        "--repeat", type=int, default=4, help="measurements of each state over HTTP (0: in-process only)"
    )
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=300, help="in-process pairs of on/off searches")
    return parser.parse_args()


def main() -> None:
    options = parse()
    env.configure(smoke=False, suffix="analytics")
    os.environ["ANALYTICS_QUEUE_KEY"] = "bench-analytics:search-records"
    env.create_database()
    env.delete_indices()
    import django

    django.setup()
    from . import data, procs, queries
    from .stats import percentile, spread

    logs = tempfile.mkdtemp(prefix="bench-analytics-")
    try:
        data.prepare_schema()
        data.load_products(options.products)
        env.run_quiet(env.manage("search_index", "rebuild"))
        paths = queries._paths(queries.workload())["ours"]["search"]
        requests = [("GET", path, "") for path in paths]
        base = f"http://127.0.0.1:{env.WEB_PORT}"
        runs: dict[str, dict[str, list[float]]] = {state: {"p50": [], "p99": [], "rps": []} for state in RUNS}
        records = {state: 0 for state in RUNS}
        order = [RUNS[(i + i // 2) % 2] for i in range(2 * options.repeat)]  # on off off on on off ...
        for number, state in enumerate(order, 1):
            print(f"  analytics {state}: {number}/{len(order)}", flush=True)
            os.environ["ANALYTICS_ENABLED"] = "true" if state == "on" else "false"
            before = _queued()
            web = procs.start_web(logs)
            try:
                queries._wrk(base, requests, seconds=1, connections=options.connections)
                out = queries._wrk(base, requests, seconds=options.seconds, connections=options.connections)
            finally:
                web.stop()
            records[state] += _queued() - before
            if out["non2xx"] or out["socket_errors"]:
                raise RuntimeError(f"{state}: {out['non2xx']} non-2xx, {out['socket_errors']} socket errors")
            runs[state]["p50"].append(out["p50_us"] / 1000)
            runs[state]["p99"].append(out["p99_us"] / 1000)
            runs[state]["rps"].append(out["requests"] / (out["duration_us"] / 1e6))
        alternating = _alternating(paths, rounds=options.rounds)
        live, refused = _hand_over_costs(percentile)
    finally:
        _clear_queue()
        env.delete_indices()
        env.drop_database()

    lines = [f"```sh\npython -m bench.analytics {shlex.join(sys.argv[1:])}\n```", ""]
    if options.repeat:
        on, off = (spread(runs[state]["p50"]) for state in RUNS)
        lines += [
            f"Over HTTP: {options.products:,} products, {options.connections} connection(s), "
            f"{options.seconds} s per measurement, {options.repeat} measurements of each state "
            "(median, min-max):",
            "",
            "| recording | search p50 ms | search p99 ms | requests/s | records written |",
            "| --- | --- | --- | --- | --- |",
        ]
        for state in RUNS:
            metric = runs[state]
            lines.append(
                f"| {state} | {spread(metric['p50']).fmt(2)} | {spread(metric['p99']).fmt(2)} | "
                f"{spread(metric['rps']).fmt(0)} | {records[state]:,} |"
            )
        lines += ["", f"p50 difference over HTTP (on - off, medians): {on.median - off.median:+.2f} ms.", ""]
    in_process = {state: percentile(alternating[state], 50) for state in RUNS}
    # The second search of a pair finds Elasticsearch's caches warm: the differences of the
    # pairs that ran "on" first and of those that ran "off" first are taken apart and averaged.
    pairs = [on_ms - off_ms for on_ms, off_ms in zip(alternating["on"], alternating["off"], strict=True)]
    on_first, off_first = percentile(pairs[0::2], 50), percentile(pairs[1::2], 50)
    lines += [
        f"In-process: {options.rounds} searches with recording on and {options.rounds} off, in pairs "
        f"of the same query: p50 on {in_process['on']:.2f} ms, off {in_process['off']:.2f} ms; median "
        f"difference (on - off) {on_first:+.2f} ms when on ran first, {off_first:+.2f} ms when off "
        f"ran first, **{(on_first + off_first) / 2:+.2f} ms** averaged.",
        "",
        f"One hand-over in-process (p50 / p99 of 5,000): live Redis {live[0]:.0f} / {live[1]:.0f} µs; "
        f"Redis refusing connections {refused[0]:.1f} / {refused[1]:.1f} µs (after the first failure "
        "the sink is paused).",
    ]
    print("\n".join(lines))


def _alternating(paths: list[str], *, rounds: int) -> dict[str, list[float]]:
    """Milliseconds of each in-process search, recording on and off in turn, the same query for
    both of a pair (which goes first alternates too)."""
    from django.conf import settings
    from django.test import Client

    http = Client()
    for path in paths:  # warm-up: a fresh index's first searches are much slower
        http.get(path)
    took: dict[str, list[float]] = {state: [] for state in RUNS}
    for number in range(rounds):
        path = paths[number % len(paths)]
        for state in RUNS if number % 2 == 0 else reversed(RUNS):
            settings.ANALYTICS_ENABLED = state == "on"
            started = time.perf_counter()
            response = http.get(path)
            took[state].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
    return took


def _hand_over_costs(percentile) -> tuple[tuple[float, float], tuple[float, float]]:
    """p50 and p99 (µs) of one record_search to the live Redis, then to a refusing port."""
    import socket

    from django.conf import settings

    from search import recording
    from search.query_building import ProductFilters

    def measure() -> tuple[float, float]:
        took = []
        for _ in range(5000):
            started = time.perf_counter()
            recording.record_search(text="Acme Headphones", filters=ProductFilters(), hits=12, latency_ms=9.5)
            took.append((time.perf_counter() - started) * 1e6)
        return percentile(took, 50), percentile(took, 99)

    settings.ANALYTICS_ENABLED = True
    recording.reset()
    live = measure()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.ANALYTICS_REDIS_URL = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    recording.reset()
    refused = measure()
    settings.ANALYTICS_REDIS_URL = settings.CELERY_BROKER_URL
    recording.reset()
    return live, refused


def _queued() -> int:
    from django.conf import settings

    from search import recording

    return recording._redis().llen(settings.ANALYTICS_QUEUE_KEY)


def _clear_queue() -> None:
    from django.conf import settings

    from search import recording

    recording._redis().delete(settings.ANALYTICS_QUEUE_KEY)


if __name__ == "__main__":
    main()
