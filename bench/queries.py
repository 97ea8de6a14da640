"""Section 3: query latency and throughput under concurrent load (wrk). For each kind of query
(get, list with filters, search with facets, suggest) the same requests go to
- ours: the API on gunicorn (Elasticsearch behind it),
- raw Elasticsearch: the exact HTTP requests our code sends for them (captured by running each
  request through the real view in-process, with the Elasticsearch client's perform_request
  recording method, path, parameters and body), straight to Elasticsearch: the ceiling,
- MySQL icontains: the plain DRF + ORM endpoints in bench.peer.views, on a gunicorn of their own
  (3 sync workers, ours' default) started afresh for each measurement,
and, once per repeat, the Django floor: `/healthz` (a bare Django view) on our gunicorn, the most
requests/s that process model can serve.

Under load the p50 of ours holds queueing: a few sync workers share 2 cores with Elasticsearch and
wrk. So ours and raw Elasticsearch are also measured with one connection (UNLOADED), where
nothing waits for a worker: the difference of their p50 is the time our code adds to a request."""

import json
import os
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlencode

import urllib3

from . import env, procs
from .stats import Spread, percentile, spread

KINDS = ("get", "list", "search", "suggest")
TARGETS = ("ours", "raw Elasticsearch", "MySQL icontains")
# The floor of the process model: a bare Django view (no DRF, no Elasticsearch) on our gunicorn.
FLOOR_KIND, FLOOR_TARGET = "healthz", "Django floor"
# The targets measured again by one client on one connection, and their metrics' key.
UNLOADED_TARGETS = ("ours", "raw Elasticsearch")
UNLOADED = "one connection"
LUA = Path(__file__).with_name("wrk.lua")
# Searches of the demo vocabulary by how they are answered: found as typed; finding nothing,
# so answered by the spell checker's correction (a first letter wrong: two edits or fewer, but
# beyond the search's fuzziness); or by the catalog's words that sound like them (three edits
# or more: search.sounds). Each is checked to be answered so.
CORRECTIONS = {
    "found as typed": ["headphones", "chef knife", "phone case", "trackball"],
    "corrected by spelling": ["eadphones", "chef nife", "oundbar", "rackball"],
    "corrected by sound": ["hedfones", "chef nives", "fone case", "nives"],
}
# Method, path with query string and JSON body ("": none); a revalidating request adds the
# If-None-Match it sends.
Request = tuple[str, str, str] | tuple[str, str, str, str]
# Measurements by kind -> target -> metric ("rps", "p50", "p99") -> values over repeats.
Table = dict[str, dict[str, dict[str, list[float]]]]


@dataclass
class QueryResult:
    products: int
    connections: int
    seconds: int
    runs: Table = field(default_factory=dict)
    # the same for the one-connection measurements of UNLOADED_TARGETS
    unloaded: Table = field(default_factory=dict)
    # the same for ours answering revalidations (If-None-Match of the answer it gave: a 304)
    revalidated: Table = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    ablation: dict[str, float] = field(default_factory=dict)
    # How each way of answering a search ends (CORRECTIONS): p50 and p99 over all its requests, ms.
    corrections: dict[str, dict[str, float]] = field(default_factory=dict)
    # Searches of one random word per length (LONG_WORD_LENGTHS): see long_word_searches.
    long_words: dict[int, dict[str, float]] = field(default_factory=dict)

    def metric(self, kind: str, target: str, name: str, *, table: Table | None = None) -> Spread:
        """A metric of `table` (one of this result's; None: `runs`)."""
        runs = self.runs if table is None else table
        return spread(runs.get(kind, {}).get(target, {}).get(name, []))

    def figures(self, kind: str, target: str, *, table: Table | None = None) -> dict[str, Spread]:
        """p50, p99 and rps of one kind and target."""
        return {name: self.metric(kind, target, name, table=table) for name in ("p50", "p99", "rps")}


def workload(sample: int = 60) -> dict[str, list[str]]:
    """Deterministic query strings per kind, from the demo vocabulary."""
    from catalog import demo
    from catalog.models import Brand, Category, Product

    rng = random.Random(7)
    brands = list(Brand.objects.values_list("slug", flat=True))
    leaves = list(Category.objects.filter(name__in=demo.leaf_categories()).values_list("slug", flat=True))
    ids = list(Product.objects.filter(is_active=True).order_by("?").values_list("pk", flat=True)[:sample])
    nouns = [noun for group in demo.NOUNS.values() for noun in group]
    typos = ["labtop", "hedphones", "keybord", "espreso", "backpak", "monitr", "sleping bag", "helmit"]
    searches = []
    for _ in range(sample):
        pick = rng.random()
        if pick < 0.35:
            q = rng.choice(nouns).lower()
        elif pick < 0.6:
            q = f"{rng.choice(demo.BRANDS)} {rng.choice(nouns).split()[-1]}".lower()
        elif pick < 0.8:
            q = rng.choice(typos)
        else:
            q = f"{rng.choice(demo.ADJECTIVES)} {rng.choice(nouns)}".lower()
        searches.append(q)
    lists = []
    for _ in range(sample):
        params = {"category": rng.choice(leaves), "in_stock": "true"}
        if rng.random() < 0.5:
            params["brand"] = rng.choice(brands)
        if rng.random() < 0.5:
            params["min_price"], params["max_price"] = "20", str(rng.choice([100, 500, 1000]))
        lists.append(urlencode(params))
    suggests = []
    for _ in range(sample):
        words = rng.choice(nouns).split()
        text = " ".join(word[: rng.randint(3, 5)] for word in words)
        suggests.append(text.lower())
    return {
        "get": [str(pk) for pk in ids],
        "list": lists,
        "search": [urlencode({"q": q}) for q in searches],
        "suggest": [urlencode({"q": q}) for q in suggests],
    }


def _paths(workload: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    return {
        "ours": {
            "get": [f"/api/products/{pk}/" for pk in workload["get"]],
            "list": [f"/api/products/?{q}" for q in workload["list"]],
            "search": [f"/api/products/search/?{q}" for q in workload["search"]],
            "suggest": [f"/api/products/suggest/?{q}" for q in workload["suggest"]],
        },
        "MySQL icontains": {
            "get": [f"/bench/icontains/{pk}/" for pk in workload["get"]],
            "list": [f"/bench/icontains/list/?{q}" for q in workload["list"]],
            "search": [f"/bench/icontains/?{q}" for q in workload["search"]],
            "suggest": [f"/bench/icontains/suggest/?{q}" for q in workload["suggest"]],
        },
    }


def capture_raw_requests(paths: dict[str, list[str]]) -> dict[str, list[tuple[str, str, str]]]:
    """Run each of our API requests in-process and record the HTTP request(s) it sends to
    Elasticsearch: (method, path with query string, JSON body)."""
    from django.conf import settings
    from django.test import Client
    from elasticsearch import Elasticsearch

    client = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=30)
    captured: list[tuple[str, str, str]] = []
    original = client.perform_request

    def recording(method, path, *, params=None, headers=None, body=None, **kwargs):
        # As the client sends them: booleans as `true` / `false`, which Elasticsearch requires.
        encoded = {
            key: str(value).lower() if isinstance(value, bool) else value
            for key, value in (params or {}).items()
        }
        query = f"?{urlencode(encoded)}" if encoded else ""
        captured.append((method, path + query, json.dumps(body, separators=(",", ":")) if body else ""))
        return original(method, path, params=params, headers=headers, body=body, **kwargs)

    client.perform_request = recording
    raw: dict[str, list[tuple[str, str, str]]] = {}
    http = Client()
    with mock.patch("search.queries.get_client", return_value=client):
        for kind, urls in paths.items():
            raw[kind] = []
            for url in urls:
                captured.clear()
                response = http.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
                if len(captured) != 1:
                    raise RuntimeError(f"{url} sent {len(captured)} Elasticsearch requests")
                raw[kind].append(captured[0])
    return raw


def without_corrected_searches(paths: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
    """The workload less the searches that find too few products: those also ask for a "did you
    mean" correction (more Elasticsearch requests, and the correction's search, or the search
    for the products matching most of the words, when nothing was found), so ours and raw
    Elasticsearch would no longer do the same work; the side-by-side measures the common path,
    one request per search."""
    from django.test import Client

    from search.queries import DID_YOU_MEAN_BELOW

    http = Client()
    kept = [
        index
        for index, url in enumerate(paths["ours"]["search"])
        if (answer := http.get(url).json())["count"] >= DID_YOU_MEAN_BELOW
        and answer["showing_results_for"] is None
        and not answer["matched_most_words"]
    ]
    if not kept:
        raise RuntimeError("every search of the workload finds too few products to compare")
    return {
        target: {**kinds, "search": [kinds["search"][index] for index in kept]}
        for target, kinds in paths.items()
    }


def revalidations(
    pool: urllib3.HTTPConnectionPool, paths: list[str], *, lasting: float
) -> list[tuple[str, str, str, str]]:
    """Each request to `pool` (our API) with the If-None-Match of the answer it gets now, as a
    cache in front sends when its copy is stale. Each is answered 304 Not Modified now and, with
    no writes meanwhile, for the next `lasting` seconds: the validators of lists, searches and
    suggestions are renewed every HTTP_CACHE_VALIDATOR_LIFETIME seconds of the clock, so a renewal
    due sooner is waited for, as is the read side's generation settling after the last write
    (search.freshness)."""
    from django.conf import settings

    from search import freshness

    lifetime = settings.HTTP_CACHE_VALIDATOR_LIFETIME
    if (left := lifetime - time.time() % lifetime) < lasting + 1:
        time.sleep(left + 0.5)
    deadline = time.monotonic() + freshness.settle_seconds() + 5
    requests = []
    for path in paths:
        while (etag := pool.request("GET", path).headers.get("ETag")) is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{path} answered without an ETag")
            time.sleep(0.5)
        if (status := revalidation_status(pool, ("GET", path, "", etag))) != 304:
            raise RuntimeError(f"{path} with If-None-Match {etag} answered {status}, not 304")
        requests.append(("GET", path, "", etag))
    return requests


def revalidation_status(pool: urllib3.HTTPConnectionPool, request: tuple[str, str, str, str]) -> int:
    """The status `request` (method, path, body, If-None-Match) is answered with now."""
    method, path, _, etag = request
    return pool.request(method, path, headers={"If-None-Match": etag}).status


def check_icontains(paths: dict[str, list[str]]) -> None:
    from django.test import Client

    http = Client()
    for urls in paths.values():
        response = http.get(urls[0])
        if response.status_code != 200:
            raise RuntimeError(f"{urls[0]} answered {response.status_code}: {response.content[:300]!r}")


def load_tool() -> str:
    return "wrk" if shutil.which("wrk") else "python threads (wrk not installed)"


def _python_load(base: str, requests: Sequence[Request], *, seconds: int, connections: int) -> dict:
    """A closed-loop load generator for machines without wrk (`make bench` installs wrk; `make test`'s
    smoke run may not have it). Same output as the wrk script."""
    import threading
    import time

    pool = urllib3.connection_from_url(base, maxsize=connections)
    latencies: list[float] = []
    failures = [0, 0]
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()

    def loop(offset: int) -> None:
        index = offset
        while time.perf_counter() < deadline:
            method, path, body, *validator = requests[index % len(requests)]
            index += 1
            headers = {"Content-Type": "application/json"} if body else {}
            if validator:
                headers["If-None-Match"] = validator[0]
            sent = time.perf_counter()
            try:
                response = pool.request(method, path, body=body or None, headers=headers, timeout=10)
            except Exception:
                failures[1] += 1
                continue
            latencies.append(time.perf_counter() - sent)
            if response.status >= 400:
                failures[0] += 1

    threads = [threading.Thread(target=loop, args=(i * 7,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "duration_us": duration * 1e6,
        "p50_us": percentile(latencies, 50) * 1e6,
        "p99_us": percentile(latencies, 99) * 1e6,
        "max_us": max(latencies, default=0) * 1e6,
        "non2xx": failures[0],
        "socket_errors": failures[1],
    }


def _wrk(base: str, requests: Sequence[Request], *, seconds: int, connections: int) -> dict:
    if not shutil.which("wrk"):
        return _python_load(base, requests, seconds=seconds, connections=connections)
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as spec:
        for request in requests:
            spec.write("\t".join(request) + "\n")
    try:
        completed = subprocess.run(
            [
                "wrk",
                "-t",
                str(min(2, connections)),
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(LUA),
                base,
            ],
            env={**os.environ, "WRK_REQUESTS": spec.name},
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(spec.name)
    line = next(line for line in completed.stdout.splitlines() if line.startswith("{"))
    return json.loads(line)


def run(
    products: int,
    *,
    log_dir: str,
    repeat: int,
    seconds: int,
    connections: int = 4,
    warmup: int = 1,
    ablation: int = 3,
) -> QueryResult:
    """Measure every kind against every target; our API must already be served on env.WEB_PORT."""
    from django.conf import settings

    queried = workload()
    paths = without_corrected_searches(_paths(queried))
    raw = capture_raw_requests(paths["ours"])
    check_icontains(paths["MySQL icontains"])
    requests = {
        "ours": {kind: [("GET", p, "") for p in urls] for kind, urls in paths["ours"].items()},
        "raw Elasticsearch": raw,
        "MySQL icontains": {
            kind: [("GET", p, "") for p in urls] for kind, urls in paths["MySQL icontains"].items()
        },
    }
    bases = {
        "ours": f"http://127.0.0.1:{env.WEB_PORT}",
        "raw Elasticsearch": settings.ELASTICSEARCH_URL.rstrip("/"),
    }

    def serving(target: str) -> AbstractContextManager[str]:
        if target == "MySQL icontains":
            return _icontains_server(log_dir, primer=requests[target]["get"], connections=connections)
        return nullcontext(bases[target])

    result = QueryResult(products=products, connections=connections, seconds=seconds)
    ours = urllib3.connection_from_url(bases["ours"])  # the revalidations' checks
    floor = [("GET", "/healthz", "")]
    for attempt in range(repeat):
        print(f"  queries {products:,}: repeat {attempt + 1}/{repeat} Django floor", flush=True)
        measure(
            result,
            FLOOR_KIND,
            FLOOR_TARGET,
            lambda: nullcontext(bases["ours"]),
            floor,
            seconds=seconds,
            warmup=warmup,
            connections=connections,
        )
        # Under load, then with one connection (UNLOADED) for the time our code adds.
        for targets, clients, into, label in (
            (TARGETS, connections, None, ""),
            (UNLOADED_TARGETS, 1, result.unloaded, f", {UNLOADED}"),
        ):
            for kind in KINDS:
                for target in targets:
                    print(
                        f"  queries {products:,}: repeat {attempt + 1}/{repeat} {kind} -> {target}{label}",
                        flush=True,
                    )
                    measure(
                        result,
                        kind,
                        target,
                        lambda target=target: serving(target),
                        requests[target][kind],
                        seconds=seconds,
                        warmup=warmup,
                        connections=clients,
                        into=into,
                    )
        for kind in KINDS:
            print(
                f"  queries {products:,}: repeat {attempt + 1}/{repeat} {kind} -> ours, revalidated",
                flush=True,
            )
            revalidating = revalidations(ours, paths["ours"][kind], lasting=warmup + seconds)
            measure(
                result,
                kind,
                "ours",
                lambda: nullcontext(bases["ours"]),
                revalidating,
                seconds=seconds,
                warmup=warmup,
                connections=connections,
                into=result.revalidated,
            )
            if revalidation_status(ours, revalidating[0]) != 304:
                result.errors.append(f"{kind} -> ours, revalidated: the answers changed while measured")
    if ablation:
        result.ablation = search_ablation(raw["search"][:ablation], repeat=3)
    print(f"  queries {products:,}: corrected searches", flush=True)
    result.corrections = corrected_searches(ours, rounds=ablation * 10, errors=result.errors)
    print(f"  queries {products:,}: searches of one long word", flush=True)
    result.long_words = long_word_searches(ours, rounds=max(ablation, 1) * 3)
    return result


# Words past search.query_building.MAX_FUZZY_WORD_LENGTH (24) match without typos: Lucene's typo
# automaton grows with the word.
LONG_WORD_LENGTHS = (10, 24, 25, 60, 256)


def long_word_searches(pool: urllib3.HTTPConnectionPool, *, rounds: int) -> dict[int, dict[str, float]]:
    """For one random word of each length (a new word each round): our API's whole answer to a
    search of it, one request at a time (ms, p50; it finds nothing, so did-you-mean runs too),
    and Elasticsearch's `took` (median, ms) for the query part of that search, as sent and with
    every word fuzzy (as before words past MAX_FUZZY_WORD_LENGTH matched exactly)."""
    import statistics
    import string

    from search import index, languages, query_building

    words = random.Random(14)

    def took(body: dict[str, Any]) -> float:
        path = f"/{index.alias_name()}/_search?request_cache=false"
        return _took("POST", path, json.dumps({**body, "size": 20}).encode())

    out = {}
    for length in LONG_WORD_LENGTHS:
        answers, as_sent, all_fuzzy = [], [], []
        for _ in range(rounds):
            word = "".join(words.choice(string.ascii_lowercase) for _ in range(length))
            started = time.perf_counter()
            pool.request("GET", "/api/products/search/?" + urlencode({"q": word}))
            answers.append((time.perf_counter() - started) * 1000)
            body = query_building.search_query(
                word, query_building.ProductFilters(), language=languages.default()
            )
            as_sent.append(took(body))
            all_fuzzy.append(
                took(json.loads(json.dumps(body).replace('"fuzziness": 0', '"fuzziness": "AUTO:4,8"')))
            )
        out[length] = {
            "ours p50": statistics.median(answers),
            "took as sent": statistics.median(as_sent),
            "took every word fuzzy": statistics.median(all_fuzzy),
        }
    return out


def corrected_searches(
    pool: urllib3.HTTPConnectionPool, *, rounds: int, errors: list[str]
) -> dict[str, dict[str, float]]:
    """The latency of each way a search is answered (CORRECTIONS), one request at a time to our
    API (`pool`) for `rounds` rounds over its searches; a search answered otherwise is an error."""
    out = {}
    for way, texts in CORRECTIONS.items():
        took = []
        for round_ in range(rounds + 1):
            for text in texts:
                started = time.perf_counter()
                response = pool.request("GET", "/api/products/search/?" + urlencode({"q": text}))
                elapsed = (time.perf_counter() - started) * 1000
                answer = json.loads(response.data)
                corrected = answer.get("showing_results_for")
                answered_so = (
                    answer.get("count")
                    and not answer.get("matched_most_words")
                    and (corrected is None) == (way == "found as typed")
                )
                error = f"search {text!r} was not {way}: {response.status}, showing results for {corrected!r}"
                if not (response.status == 200 and answered_so) and error not in errors:
                    errors.append(error)
                if round_:  # the first round warms up
                    took.append(elapsed)
        out[way] = {"p50": percentile(took, 50), "p99": percentile(took, 99)}
    return out


def measure(
    result: QueryResult,
    kind: str,
    target: str,
    serving: Callable[[], AbstractContextManager[str]],
    requests: Sequence[Request],
    *,
    seconds: int,
    warmup: int,
    connections: int,
    into: Table | None = None,
) -> None:
    """One measurement of one kind of request against one target, added to `result.runs` (or to
    `into`, one of its other tables)."""
    env.wait_for_elasticsearch()
    # A short warm-up so caches and connection pools are in their steady state.
    if warmup:
        with serving() as base:
            _wrk(base, requests, seconds=warmup, connections=connections)
    with serving() as base:
        out = _wrk(base, requests, seconds=seconds, connections=connections)
    # wrk stops sending at the deadline, but requests it gave up on may still be running
    # in gunicorn or Elasticsearch: let them finish so they do not land in the next tail.
    time.sleep(min(out.get("max_us", 0) / 1e6, 15) + 0.3)
    if out["non2xx"] or out["socket_errors"]:
        result.errors.append(
            f"{kind} -> {target}: {out['non2xx']} non-2xx, {out['socket_errors']} socket errors"
        )
    runs = (
        (result.runs if into is None else into)
        .setdefault(kind, {})
        .setdefault(target, {"rps": [], "p50": [], "p99": []})
    )
    runs["rps"].append(out["requests"] / (out["duration_us"] / 1e6))
    runs["p50"].append(out["p50_us"] / 1000)
    runs["p99"].append(out["p99_us"] / 1000)


@contextmanager
def _icontains_server(log_dir: str, *, primer: list[tuple[str, str, str]], connections: int) -> Iterator[str]:
    """A gunicorn of its own for each icontains measurement, killed after it with the queries it
    left behind: at 1,000,000 products one icontains search scans for minutes, and the requests
    wrk gave up on would otherwise hold the workers (and MariaDB) through the next measurement.
    Primary-key gets (fast at any size) first bring every fresh worker to its steady state."""
    server = procs.start_web(log_dir, port=env.PEER_WEB_PORT, name="gunicorn-icontains")
    base = f"http://127.0.0.1:{env.PEER_WEB_PORT}"
    try:
        _wrk(base, primer, seconds=1, connections=connections)
        yield base
    finally:
        server.stop(graceful=False)
        env.kill_queries()


ABLATIONS = {
    "as sent (ours)": lambda body, text: body,
    "without highlight": lambda body, text: {k: v for k, v in body.items() if k != "highlight"},
    "without aggs / post_filter": lambda body, text: {
        k: v for k, v in body.items() if k not in ("aggs", "post_filter")
    },
    "without fuzziness": lambda body, text: json.loads(
        json.dumps(body, separators=(",", ":"))
        .replace('"fuzziness":"AUTO:4,8",', "")
        .replace(',"fuzziness":"AUTO:4,8"', "")
    ),
    "without name.shingles (a word the name writes apart)": lambda body, text: _without_clauses(
        body, lambda clause: "name.shingles" in clause.get("match", {})
    ),
    "highlight_query = plain multi_match on name, description": lambda body, text: {
        **body,
        "highlight": {
            **body.get("highlight", {}),
            "highlight_query": {"multi_match": {"query": text, "fields": ["name", "description"]}},
        },
    },
}


def _without_clauses(node: Any, unwanted: Callable[[dict], bool]) -> Any:
    """`node` (a request body) less the query clauses, at any depth, that are `unwanted`."""
    if isinstance(node, dict):
        return {key: _without_clauses(value, unwanted) for key, value in node.items()}
    if isinstance(node, list):
        return [
            _without_clauses(item, unwanted)
            for item in node
            if not (isinstance(item, dict) and unwanted(item))
        ]
    return node


def search_ablation(requests: list[tuple[str, str, str]], *, repeat: int) -> dict[str, float]:
    """Where a search's Elasticsearch time goes: the same captured bodies with one part taken out
    (Elasticsearch's own `took`, median over queries x repeats, ms). The shard request cache is
    off for these: its answer to a repeat costs nothing to compute, whatever the body."""
    import statistics

    out: dict[str, float] = {}
    for name, change in ABLATIONS.items():
        took = []
        for method, cached_path, body in requests:
            path = cached_path.replace("request_cache=true", "request_cache=false")
            document = json.loads(body)
            text = _query_text(document)
            data = json.dumps(change(document, text)).encode()
            took += [_took(method, path, data) for _ in range(repeat)]
        out[name] = statistics.median(took)
    return out


def _took(method: str, path: str, body: bytes) -> float:
    """Elasticsearch's own `took` (ms) for one request sent straight to it."""
    import urllib.request

    from django.conf import settings

    request = urllib.request.Request(
        settings.ELASTICSEARCH_URL.rstrip("/") + path,
        data=body,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)["took"]


def _query_text(body: dict) -> str:
    """The user's text, from the match_phrase booster our search sends."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "match_phrase" and isinstance(value, dict):
                    for clause in value.values():
                        found.append(clause["query"] if isinstance(clause, dict) else clause)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(body)
    return found[0] if found else ""
