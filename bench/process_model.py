"""Section `process-model` (issue 19): the same reads served by each process model gunicorn can
run, one after another in one run, with 3 workers each on the same 2 cores:
- sync: sync workers, as deployed;
- gthread: 4 threads per worker;
- asgi: uvicorn workers serving Django's ASGI handler.

Each model serves the Django floor (`/healthz`), our DRF get (`/api/products/<id>/`) and the same
get as a plain Django view with our query (`/bench/plain/...`, no DRF: what the API layer costs);
ASGI also serves it as an async view reading with the async Elasticsearch client
(`/bench/async/...`), the model the async client is for. Under WSGI an async view would get an
event loop per request, so it is not measured there."""

import urllib.request
from contextlib import nullcontext
from dataclasses import dataclass

from . import env, procs, queries

MODELS = {"sync": {}, "gthread": {"threads": 4}, "asgi": {"asgi": True}}
FLOOR = "Django floor (/healthz)"
# Measured under ASGI only.
ASYNC_ONLY = "get, async view + async client"
KINDS = {
    FLOOR: lambda pk: "/healthz",
    "get, our DRF view": lambda pk: f"/api/products/{pk}/",
    "get, plain Django view": lambda pk: f"/bench/plain/products/{pk}/",
    ASYNC_ONLY: lambda pk: f"/bench/async/products/{pk}/",
}


@dataclass
class ProcessModels:
    products: int
    connections: int
    seconds: int
    # model -> its measurements (kinds as above, target "ours")
    results: dict[str, queries.QueryResult]


def run(products: int, *, log_dir: str, seconds: int, warmup: int = 1, connections: int = 4) -> ProcessModels:
    ids = queries.workload()["get"]
    base = f"http://127.0.0.1:{env.WEB_PORT}"
    results: dict[str, queries.QueryResult] = {}
    for model, options in MODELS.items():
        web = procs.start_web(log_dir, name=f"gunicorn-{model}", **options)
        try:
            result = results[model] = queries.QueryResult(products, connections, seconds)
            for kind, path in KINDS.items():
                if kind == ASYNC_ONLY and model != "asgi":
                    continue
                print(f"  process model {model}: {kind}", flush=True)
                # A model that cannot serve the request fails the run (the smoke run in `make
                # test` too) rather than being measured by its errors.
                with urllib.request.urlopen(f"{base}{path(ids[0])}", timeout=10) as answer:
                    if answer.status != 200:
                        raise RuntimeError(f"{model}: {path(ids[0])} answered {answer.status}")
                queries.measure(
                    result,
                    kind,
                    "ours",
                    lambda: nullcontext(base),
                    [("GET", path(pk), "") for pk in ids],
                    seconds=seconds,
                    warmup=warmup,
                    connections=connections,
                )
        finally:
            web.stop()
    return ProcessModels(products, connections, seconds, results)


def section(measured: ProcessModels | None) -> list[str]:
    if measured is None:
        return []
    out = [
        "## 3b. Process models for the read side",
        "",
        f"The same gets of {measured.products:,} products (60 ids in rotation) served by 3 gunicorn "
        "workers of each model in turn: *sync* (as deployed), *gthread* (4 threads each) and *asgi* "
        "(uvicorn workers running Django's ASGI handler; DRF views run in its thread hop). *plain*: "
        "the get as a plain Django view with our query, no DRF; *async*: the same as an async view "
        "reading with the async Elasticsearch client (ASGI only). "
        f"wrk, {measured.connections} connections, {measured.seconds} s each; latencies in ms; "
        "*of floor*: requests/s over the same model's `/healthz`.",
        "",
        "| model | request | req/s | p50 | p99 | of floor |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    errors: list[str] = []
    for model, result in measured.results.items():
        floor = result.metric(FLOOR, "ours", "rps").median
        for kind in KINDS:
            rps = result.metric(kind, "ours", "rps")
            if rps.n == 0:
                continue
            share = f"{rps.median / floor:.0%}" if floor else "n/a"
            out.append(
                f"| {model} | {kind} | {rps.fmt()} | {result.metric(kind, 'ours', 'p50').fmt(1)} | "
                f"{result.metric(kind, 'ours', 'p99').fmt(1)} | {share} |"
            )
        errors += [f"{model}: {error}" for error in result.errors]
    if errors:
        out += ["", "Errors: " + "; ".join(errors)]
    return [*out, ""]
