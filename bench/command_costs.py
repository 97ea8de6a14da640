"""Section 2c: what one command costs the web process, without HTTP or any other load.

A price+stock PATCH and a create are sent one after another through Django's WSGI handler in
this process (token auth and the whole middleware stack, as gunicorn runs them), and each is
timed with the SQL statements it sends and the time those took (the database's share, round
trips included). The lag section's HTTP figures add gunicorn, the network and every other
process on the same two cores; this one isolates what the code spends per command, so a change
to a service or a view shows here first. The drain requests the commands publish wait in the
bench's queue; the outbox is drained here afterwards."""

import io
import itertools
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

from .stats import percentile

COMMANDS = 300
WARMUP = 20


@dataclass
class Cost:
    kind: str
    commands: int
    mean_ms: float
    p50_ms: float
    p99_ms: float
    statements: float
    sql_ms: float


def run(token: str, *, commands: int = COMMANDS) -> list[Cost]:
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from catalog.models import Brand, Category
    from projection import drain

    handler = WSGIHandler()
    # The PATCHes change products the POSTs created, which have one variant each (price and stock
    # name it) whatever the variants of the loaded catalog.
    created: list[int] = []
    category = Category.objects.filter(children__isnull=True).values_list("slug", flat=True).first()
    brand = Brand.objects.values_list("slug", flat=True).first()
    numbers = itertools.count()
    run_id = int(time.time())

    def patch(n: int) -> tuple[str, str, dict[str, Any]]:
        return (
            "PATCH",
            f"/api/products/{created[n % len(created)]}/",
            {"stock": n % 50, "price": f"{5 + n % 90}.49"},
        )

    def create(n: int) -> tuple[str, str, dict[str, Any]]:
        body = {
            "sku": f"BENCH-COST-{run_id}-{next(numbers)}",
            "name": f"Bench Cost Product {n}",
            "description": "A product created by the command-cost benchmark.",
            "brand": brand,
            "category": category,
            "price": "10.99",
            "stock": 3,
        }
        return "POST", "/api/products/", body

    def send(build, n: int) -> None:
        answer = _send(handler, token, *build(n))
        if build is create:
            created.append(answer["id"])

    costs = []
    for kind, build in (("POST a product", create), ("PATCH price and stock", patch)):
        print(f"  command costs: {kind}, {commands} commands", flush=True)
        for n in range(WARMUP):
            send(build, n)
        spent: list[float] = []
        sql = {"statements": 0, "seconds": 0.0}

        def timed(execute, sql_text, params, many, context, sql=sql):
            started = time.perf_counter()
            try:
                return execute(sql_text, params, many, context)
            finally:
                sql["statements"] += 1
                sql["seconds"] += time.perf_counter() - started

        with connection.execute_wrapper(timed):
            for n in range(commands):
                started = time.perf_counter()
                send(build, n)
                spent.append(time.perf_counter() - started)
        costs.append(
            Cost(
                kind=kind,
                commands=commands,
                mean_ms=sum(spent) / commands * 1000,
                p50_ms=percentile(spent, 50) * 1000,
                p99_ms=percentile(spent, 99) * 1000,
                statements=sql["statements"] / commands,
                sql_ms=sql["seconds"] / commands * 1000,
            )
        )
    while drain.drain_outbox().indexed:
        pass
    return costs


def _send(handler, token: str, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """The answer of one command, which must succeed."""
    payload = json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(payload)),
        "wsgi.input": io.BytesIO(payload),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }
    status: list[str] = []
    answer = b"".join(handler(environ, lambda line, headers: status.append(line)))
    if not status[0].startswith(("200", "201")):
        raise RuntimeError(f"{method} {path} answered {status[0]}: {answer[:300]!r}")
    return json.loads(answer)


def section(costs: list[Cost]) -> list[str]:
    if not costs:
        return []
    out = [
        "## 2c. What one command costs the web process",
        "",
        "Commands sent one after another through Django's WSGI handler inside the harness (token auth, "
        "the whole middleware stack, no HTTP server, nothing else running), after "
        f"{WARMUP} unreported ones of each kind. *SQL* is the statements each command sent and the time "
        "they took, round trips included; the rest is Python (DRF, the services, the ORM). Milliseconds.",
        "",
        "| command | commands | mean | p50 | p99 | SQL statements | SQL time | rest |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for cost in costs:
        out.append(
            f"| {cost.kind} | {cost.commands:,} | {cost.mean_ms:.1f} | {cost.p50_ms:.1f} | "
            f"{cost.p99_ms:.1f} | {cost.statements:.1f} | {cost.sql_ms:.1f} | "
            f"{cost.mean_ms - cost.sql_ms:.1f} |"
        )
    out.append("")
    return out
