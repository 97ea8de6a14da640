"""Section 6: the two index layouts a catalog with variants can have, side by side over the same
documents (issue 18): the one the read side uses, a product document with its variants `nested`,
against one document per variant (the product's fields copied into each) collapsed by product.

Both indices get the read side's analysis settings and the same documents, built untimed with
the rebuild's own reader; then each is bulk indexed (timed), force-merged and measured on disk,
and the same four questions are asked of each, one request at a time, straight to
Elasticsearch:

- search: a word of the names, one size in stock, cheapest matching variant first, 20 products
  and how many products match;
- facets: that word's products counted per size (in products, not variants);
- list: every product with a variant in stock, cheapest first, 20 products;
- option filter: products with a variant of one size in stock, newest first, and how many.

Products are counted exactly in the nested layout (`hits.total`, `reverse_nested`) and by a
`cardinality` of the product id in the other, which is approximate above 3,000 (its default
precision): the report gives the largest difference seen. The pages of both layouts are compared
too, product by product.
"""

import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from elasticsearch import Elasticsearch, helpers
from tqdm import tqdm

from projection.maintenance import document_chunks
from search import document, index
from search.client import SERIALIZERS

from .stats import percentile

QUESTIONS = ("search", "facets", "list", "option filter")
PAGE = 20


@dataclass
class Layout:
    name: str
    documents: int = 0
    docs_per_second: float = 0.0
    lucene_documents: int = 0
    bytes_on_disk: int = 0
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class LayoutComparison:
    products: int
    variants: int
    nested: Layout
    per_variant: Layout
    # Of the pages both layouts answered, how many held the same products in the same order.
    same_pages: int = 0
    pages: int = 0
    # The largest relative difference between the product counts of the two layouts.
    count_error: float = 0.0


def per_variant_mappings() -> dict[str, Any]:
    """The product mapping with `variants` replaced by one `variant` object and the product id."""
    mappings = document.mappings()
    properties = dict(mappings["properties"])
    variant = properties.pop("variants")
    properties["variant"] = {"type": "object", "properties": variant["properties"]}
    properties["product_id"] = {"type": "long"}
    return {**mappings, "properties": properties}


def per_variant_documents(product: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    shared = {name: value for name, value in product.items() if name != "variants"}
    return [
        (variant["sku"], {**shared, "variant": variant, "product_id": product["id"]})
        for variant in product["variants"]
    ]


def run(*, questions_per_kind: int = 200, seed: int = 7) -> LayoutComparison:
    client = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=300, serializers=SERIALIZERS)
    products = [
        product
        for chunk in document_chunks()
        for product in chunk
        if not product.get("deleted") and product["is_active"] and product["variants"]
    ]
    base = index.alias_name()
    nested = Layout("nested variants (ours)")
    per_variant = Layout("a document per variant, collapsed")
    nested_name, per_variant_name = f"{base}-layout-nested", f"{base}-layout-per-variant"
    try:
        _index(
            client,
            nested,
            nested_name,
            document.mappings(),
            ((str(product["id"]), product) for product in products),
        )
        _index(
            client,
            per_variant,
            per_variant_name,
            per_variant_mappings(),
            (pair for product in products for pair in per_variant_documents(product)),
        )
        comparison = LayoutComparison(
            products=len(products),
            variants=per_variant.documents,
            nested=nested,
            per_variant=per_variant,
        )
        _ask(client, comparison, nested_name, per_variant_name, products, questions_per_kind, seed)
        return comparison
    finally:
        client.indices.delete(index=f"{base}-layout-*", ignore_unavailable=True, allow_no_indices=True)


def _index(client: Elasticsearch, layout: Layout, name: str, mappings: dict, pairs) -> None:
    actions = [{"_index": name, "_id": key, "_source": source} for key, source in pairs]
    client.indices.create(
        index=name, settings={**index.index_settings(), "refresh_interval": "-1"}, mappings=mappings
    )
    started = time.perf_counter()
    sent = helpers.parallel_bulk(client, actions, chunk_size=1000, thread_count=3)
    deque(tqdm(sent, total=len(actions), desc=f"index: {layout.name}", unit="doc", mininterval=2), maxlen=0)
    client.indices.refresh(index=name)
    layout.documents = len(actions)
    layout.docs_per_second = len(actions) / (time.perf_counter() - started)
    client.indices.forcemerge(index=name, max_num_segments=1)
    stats = client.indices.stats(index=name, metric=["docs", "store"])["indices"][name]["primaries"]
    layout.lucene_documents = stats["docs"]["count"]
    layout.bytes_on_disk = stats["store"]["size_in_bytes"]


def _ask(
    client: Elasticsearch,
    comparison: LayoutComparison,
    nested_name: str,
    per_variant_name: str,
    products: list[dict[str, Any]],
    per_kind: int,
    seed: int,
) -> None:
    rng = random.Random(seed)
    words = [
        rng.choice(product["name"].split()) for product in rng.sample(products, min(per_kind, len(products)))
    ]
    sizes = sorted(
        {pair for product in products for variant in product["variants"] for pair in variant["option_pairs"]}
    )
    if not sizes:
        raise RuntimeError(
            "the layouts section compares variants with options: run it with --variants 2 or more"
        )
    for layout in (comparison.nested, comparison.per_variant):
        layout.latencies_ms = {question: [] for question in QUESTIONS}
    for word in tqdm(words, desc=f"ask {len(QUESTIONS)} questions of both layouts", unit="word"):
        size = rng.choice(sizes)
        for question in QUESTIONS:
            nested_body, per_variant_body = _bodies(question, word=word, size=size)
            # Alternate which layout goes first, so neither always meets a warmer cache.
            order = [
                (comparison.nested, nested_name, nested_body),
                (comparison.per_variant, per_variant_name, per_variant_body),
            ]
            if rng.random() < 0.5:
                order.reverse()
            answers = {}
            for layout, name, body in order:
                started = time.perf_counter()
                answers[layout.name] = client.search(index=name, **body)
                layout.latencies_ms[question].append((time.perf_counter() - started) * 1000)
            _compare(
                comparison, question, answers[comparison.nested.name], answers[comparison.per_variant.name]
            )


def _bodies(question: str, *, word: str, size: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The request of `question` for the nested layout and for the per-variant one."""
    in_stock_nested = {"term": {"variants.in_stock": True}}
    in_stock_flat = {"term": {"variant.in_stock": True}}
    sized_nested = [{"term": {"variants.option_pairs": size}}, in_stock_nested]
    sized_flat = [{"term": {"variant.option_pairs": size}}, in_stock_flat]
    text = {"match": {"name": {"query": word}}}

    def nested_filter(clauses: list[dict]) -> dict:
        return {"nested": {"path": "variants", "query": {"bool": {"filter": clauses}}}}

    def cheapest_nested(clauses: list[dict]) -> list[dict]:
        price = {
            "order": "asc",
            "mode": "min",
            "nested": {"path": "variants", "filter": {"bool": {"filter": clauses}}},
        }
        return [{"variants.price_cents": price}, {"id": "asc"}]

    collapsed = {
        "collapse": {"field": "product_id"},
        "aggs": {"products": {"cardinality": {"field": "product_id"}}},
    }
    if question == "search":
        return (
            {
                "query": {"bool": {"must": [text], "filter": [nested_filter(sized_nested)]}},
                "sort": cheapest_nested(sized_nested),
                "size": PAGE,
                "track_total_hits": True,
            },
            {
                "query": {"bool": {"must": [text], "filter": sized_flat}},
                "sort": [{"variant.price_cents": "asc"}, {"product_id": "asc"}],
                "size": PAGE,
                **collapsed,
            },
        )
    if question == "facets":
        return (
            {
                "query": text,
                "size": 0,
                "aggs": {
                    "variants": {
                        "nested": {"path": "variants"},
                        "aggs": {
                            "sizes": {
                                "terms": {"field": "variants.option_pairs"},
                                "aggs": {"products": {"reverse_nested": {}}},
                            }
                        },
                    }
                },
            },
            {
                "query": text,
                "size": 0,
                "aggs": {
                    "sizes": {
                        "terms": {"field": "variant.option_pairs"},
                        "aggs": {"products": {"cardinality": {"field": "product_id"}}},
                    }
                },
            },
        )
    if question == "list":
        return (
            {
                "query": nested_filter([in_stock_nested]),
                "sort": cheapest_nested([in_stock_nested]),
                "size": PAGE,
                "track_total_hits": True,
            },
            {
                "query": {"bool": {"filter": [in_stock_flat]}},
                "sort": [{"variant.price_cents": "asc"}, {"product_id": "asc"}],
                "size": PAGE,
                **collapsed,
            },
        )
    return (
        {
            "query": nested_filter(sized_nested),
            "sort": [{"created_at": "desc"}, {"id": "asc"}],
            "size": PAGE,
            "track_total_hits": True,
        },
        {
            "query": {"bool": {"filter": sized_flat}},
            "sort": [{"created_at": "desc"}, {"product_id": "asc"}],
            "size": PAGE,
            **collapsed,
        },
    )


def _compare(comparison: LayoutComparison, question: str, nested: Any, per_variant: Any) -> None:
    if question == "facets":
        exact = {
            bucket["key"]: bucket["products"]["doc_count"]
            for bucket in nested["aggregations"]["variants"]["sizes"]["buckets"]
        }
        approximate = {
            bucket["key"]: bucket["products"]["value"]
            for bucket in per_variant["aggregations"]["sizes"]["buckets"]
        }
        pairs = [(exact[key], approximate.get(key, 0)) for key in exact]
    else:
        comparison.pages += 1
        ids = [hit["_source"]["id"] for hit in nested["hits"]["hits"]]
        comparison.same_pages += ids == [hit["_source"]["product_id"] for hit in per_variant["hits"]["hits"]]
        pairs = [(nested["hits"]["total"]["value"], per_variant["aggregations"]["products"]["value"])]
    for exact_count, approximate_count in pairs:
        if exact_count:
            comparison.count_error = max(
                comparison.count_error, abs(approximate_count - exact_count) / exact_count
            )


def section(comparison: LayoutComparison | None) -> list[str]:
    if comparison is None:
        return []
    out = [
        "## 6. Index layouts for variants, side by side",
        "",
        f"{comparison.products:,} products with {comparison.variants:,} active variants, the same "
        "documents in both layouts (see `bench/layouts.py` for the questions asked). Requests go "
        "straight to Elasticsearch, one at a time; milliseconds, p50 / p99.",
        "",
        f"| | {comparison.nested.name} | {comparison.per_variant.name} |",
        "| --- | ---: | ---: |",
    ]
    layouts = (comparison.nested, comparison.per_variant)

    def row(label: str, cells: list[str]) -> str:
        return f"| {label} | " + " | ".join(cells) + " |"

    def p50_p99(values: list[float]) -> str:
        return f"{percentile(values, 50):.1f} / {percentile(values, 99):.1f}"

    out += [
        row(
            "documents indexed / Lucene documents",
            [f"{layout.documents:,} / {layout.lucene_documents:,}" for layout in layouts],
        ),
        row(
            "bulk indexing, documents/s (products/s)",
            [
                f"{layout.docs_per_second:,.0f} "
                f"({layout.docs_per_second * comparison.products / layout.documents:,.0f})"
                for layout in layouts
            ],
        ),
        row("size on disk, force-merged", [f"{layout.bytes_on_disk / 1e6:,.1f} MB" for layout in layouts]),
        *(
            row(question, [p50_p99(layout.latencies_ms[question]) for layout in layouts])
            for question in QUESTIONS
        ),
        "",
        f"- Pages with the same products in the same order: {comparison.same_pages} of {comparison.pages}.",
        "- Largest difference between the product counts (`cardinality` against exact): "
        f"{comparison.count_error:.2%}.",
        "",
    ]
    return out
