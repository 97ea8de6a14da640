"""python -m bench.fields --products N [--rounds 300]

What building a serializer's fields once per thread (`shared/serializers.py`) saves, against
DRF's own way (every serializer deep-copies, and so rebuilds, each declared field), side by side
in one run. In-process (Django's test client, no HTTP), the two ways switched for every other
request of a pair that sends the same request, which goes first alternating, so the drift of a
busy machine falls on both alike: the read side's get, list, search and suggest, a single command
(PATCH of a product's name and stock, token auth), and the validation of a bulk request of 500
upserts (the feed import's and the bulk API's first step, no write). Uses its own bench database
and indices, removed at the end; prints a markdown table."""

import argparse
import json
import shlex
import sys
import time

from . import env

WAYS = ("reused", "rebuilt")
BULK_ITEMS = 500
# The mixin's own `fields`, kept when _use first swaps in DRF's.
_ways: dict[str, object] = {}


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.fields", description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=300, help="pairs of requests of each kind")
    return parser.parse_args()


def main() -> None:
    options = parse()
    env.configure(smoke=False, suffix="fields")
    env.create_database()
    env.delete_indices()
    import django

    django.setup()
    from . import data, queries
    from .stats import percentile

    try:
        token = data.prepare_schema()
        data.load_products(options.products)
        env.run_quiet(env.manage("search_index", "rebuild"))
        paths = queries._paths(queries.workload())["ours"]
        took = {kind: _alternating(kind, paths[kind], rounds=options.rounds) for kind in paths}
        took["PATCH"] = _alternating_commands(token, rounds=options.rounds)
        bulk_rounds = max(options.rounds // 30, 4)
        took[f"bulk validation, {BULK_ITEMS} upserts"] = _alternating_bulk(rounds=bulk_rounds)
    finally:
        _use("reused")
        env.delete_indices()
        env.drop_database()

    lines = [
        f"```sh\npython -m bench.fields {shlex.join(sys.argv[1:])}\n```",
        "",
        f"{options.products:,} products; in-process, p50 in ms of {options.rounds} pairs per request "
        "kind (the bulk validation: fewer); *difference* is the median of the pairs' differences.",
        "",
        "| request | fields reused | fields rebuilt (DRF) | difference | saved |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for kind, by_way in took.items():
        reused, rebuilt = (percentile(by_way[way], 50) for way in WAYS)
        pairs = [a - b for a, b in zip(by_way["reused"], by_way["rebuilt"], strict=True)]
        difference = percentile(pairs, 50)
        lines.append(
            f"| {kind} | {reused:.2f} | {rebuilt:.2f} | {difference:+.2f} | {-difference / rebuilt:.0%} |"
        )
    print("\n".join(lines))


def _use(way: str) -> None:
    """Serializers with the mixin build their fields as `way` says from now on."""
    from rest_framework import serializers

    from shared import serializers as shared

    _ways.setdefault("reused", shared.ReusedFieldsMixin.__dict__["fields"])
    _ways.setdefault("rebuilt", serializers.Serializer.__dict__["fields"])
    shared.ReusedFieldsMixin.fields = _ways[way]


def _pairs(rounds: int, send) -> dict[str, list[float]]:
    """Milliseconds of `send(number)` for each way, in pairs, which way goes first alternating."""
    took: dict[str, list[float]] = {way: [] for way in WAYS}
    for number in range(rounds):
        for way in WAYS if number % 2 == 0 else reversed(WAYS):
            _use(way)
            started = time.perf_counter()
            send(number)
            took[way].append((time.perf_counter() - started) * 1000)
    _use("reused")
    return took


def _alternating(kind: str, paths: list[str], *, rounds: int) -> dict[str, list[float]]:
    from django.test import Client

    http = Client()
    for path in paths:  # warm-up: a fresh index's first searches are much slower
        http.get(path)
    print(f"  fields: {kind}", flush=True)

    def send(number: int) -> None:
        response = http.get(paths[number % len(paths)])
        if response.status_code != 200:
            raise RuntimeError(f"{paths[number % len(paths)]} answered {response.status_code}")

    return _pairs(rounds, send)


def _alternating_commands(token: str, *, rounds: int) -> dict[str, list[float]]:
    from django.test import Client

    from catalog.models import Product

    http = Client(HTTP_AUTHORIZATION=f"Token {token}")
    ids = list(Product.objects.order_by("pk").values_list("pk", flat=True)[:200])
    print("  fields: PATCH", flush=True)

    def send(number: int) -> None:
        product_id = ids[number % len(ids)]
        body = json.dumps({"name": f"Renamed {number}", "stock": number % 40})
        response = http.patch(f"/api/products/{product_id}/", body, content_type="application/json")
        if response.status_code != 200:
            raise RuntimeError(f"PATCH {product_id}: {response.status_code} {response.content[:200]!r}")

    return _pairs(rounds, send)


def _alternating_bulk(*, rounds: int) -> dict[str, list[float]]:
    from catalog.api.serializers import ProductBulkSerializer
    from catalog.models import Brand, Category

    brand = Brand.objects.values_list("slug", flat=True).first()
    category = Category.objects.filter(children__isnull=True).values_list("slug", flat=True).first()
    items = [
        {
            "op": "upsert",
            "product": {
                "sku": f"BENCH-FIELDS-{number:05d}",
                "name": f"Bench lamp {number}",
                "brand": brand,
                "category": category,
                "price": "19.50",
                "stock": number % 9,
                "tags": ["a", "b"],
                "attributes": {"material": "oak"},
            },
        }
        for number in range(BULK_ITEMS)
    ]
    print(f"  fields: bulk validation of {BULK_ITEMS}", flush=True)

    def send(number: int) -> None:
        serializer = ProductBulkSerializer(data=items, context={"user": None})
        serializer.is_valid(raise_exception=True)
        rejected = [operation for operation in serializer.validated_data if operation.rejected]
        if rejected:
            raise RuntimeError(f"{len(rejected)} items refused: {rejected[0].rejected}")

    return _pairs(rounds, send)


if __name__ == "__main__":
    main()
