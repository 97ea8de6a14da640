"""Elasticsearch request bodies for the read side's queries, and the facets read back from the
aggregations they ask for: pure functions of the query's input, no I/O.

User text only ever reaches `match`-family queries and `term` queries, never a query-string
syntax, so quotes, wildcards, brackets and boolean words are searched as plain text.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MAX_QUERY_TERMS = 12
# A word of at least this many characters also matches as the start of a word of the name,
# with this constant score: enough to rank such products, less than any whole-word match.
MIN_PREFIX_LENGTH = 3
PREFIX_SCORE = 1.0

ORDERINGS: dict[str, list[dict[str, str]]] = {
    "relevance": [{"_score": "desc"}, {"id": "desc"}],
    "price": [{"price_cents": "asc"}, {"id": "asc"}],
    "-price": [{"price_cents": "desc"}, {"id": "desc"}],
    "name": [{"name.sort": "asc"}, {"id": "asc"}],
    "-name": [{"name.sort": "desc"}, {"id": "desc"}],
    "created_at": [{"created_at": "asc"}, {"id": "asc"}],
    "-created_at": [{"created_at": "desc"}, {"id": "desc"}],
    "updated_at": [{"updated_at": "asc"}, {"id": "asc"}],
    "-updated_at": [{"updated_at": "desc"}, {"id": "desc"}],
}
LIST_ORDERINGS = tuple(name for name in ORDERINGS if name != "relevance")
SUGGESTION_ORDER = [{"_score": "desc"}, {"name.sort": "asc"}, {"id": "asc"}]

# Fixed price bands for the price facet, in cents (upper bound exclusive; None = open).
PRICE_BANDS: tuple[tuple[int | None, int | None], ...] = (
    (None, 2_500),
    (2_500, 5_000),
    (5_000, 10_000),
    (10_000, 25_000),
    (25_000, 50_000),
    (50_000, None),
)

SEARCH_FIELDS = [
    "name^4",
    # Unstemmed, so a typo is measured against the word as written: "mechanicl" is one edit
    # from "mechanical" but three from its stem "mechan".
    "name.exact^2",
    "brand.name^3",
    "sku.text^3",
    "category.name^2",
    "tags.text^2",
    "category.path",
    "description",
]


@dataclass(frozen=True)
class ProductFilters:
    brands: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None
    tags: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()
    # "true" (storefront default), "false" or "all"; the API allows the last two to staff only.
    active: str = "true"


def list_query(filters: ProductFilters) -> dict[str, Any]:
    """The products the filters select, unscored (ordering and paging are added by paging)."""
    return {"query": {"bool": {"filter": _filter_clauses(filters)}}}


def search_query(text: str, filters: ProductFilters) -> dict[str, Any]:
    """The products matching `text` and the filters, with highlights and facet aggregations
    (ordering and paging are added by paging)."""
    facet_filters = _facet_filter_clauses(filters)
    return {
        "query": {
            "bool": {
                "must": [_text_query(text)],
                "should": _ranking_boosters(text),
                "filter": _filter_clauses(filters, include_facet_filters=False),
            }
        },
        # Facets count what the other choices allow, not their own (post-filter faceting).
        "post_filter": {"bool": {"filter": list(facet_filters.values())}},
        "aggs": _facet_aggregations(facet_filters),
        "highlight": _highlight(text),
    }


def suggest_query(text: str, limit: int) -> dict[str, Any]:
    """Up to `limit` storefront products with words of the name starting with the words typed,
    reading only the fields a suggestion shows."""
    return {
        "query": {
            "bool": {
                "must": [{"match": {"name.prefix": {"query": text, "operator": "and"}}}],
                "should": [{"match_phrase_prefix": {"name.exact": {"query": text}}}],
                "filter": _filter_clauses(ProductFilters()),
            }
        },
        "sort": SUGGESTION_ORDER,
        "_source": ["id", "name", "brand", "category.slug", "category.name"],
        "size": limit,
    }


def _highlight(text: str) -> dict[str, Any]:
    return {
        "pre_tags": ["<em>"],
        "post_tags": ["</em>"],
        "require_field_match": False,
        "fields": {
            # Highlights use the words as typed and the starts of words ("<em>Mechanical</em>"
            # for "mech"), not the fuzzy expansions of the main query: highlighting those
            # took 10 to 70 times longer than the search itself (docs/benchmarks.md), so a
            # word matched only through a typo is found but not marked.
            "name": {
                "number_of_fragments": 0,
                "require_field_match": True,
                "matched_fields": ["name", "name.exact", "name.prefix"],
                "highlight_query": {
                    "bool": {
                        "should": [
                            {"match": {"name": {"query": text}}},
                            {"match": {"name.prefix": {"query": text}}},
                        ]
                    }
                },
            },
            "description": {
                "fragment_size": 160,
                "number_of_fragments": 2,
                "highlight_query": {"match": {"description": {"query": text}}},
            },
        },
    }


def _text_query(text: str) -> dict[str, Any]:
    """Every word must match some field (brand + type: "acme headphones"), each typo-tolerant:
    words of up to 3 letters must match exactly, longer ones allow one or two edits, and the
    first letter must match so fuzziness cannot turn short words into noise. Words with a digit
    (skus, model numbers, sizes) are never fuzzy: "0000204" must not find "0000104". A word may
    also be the start of a word of the name ("mech keyb"), which counts for little."""
    per_word = [_word_query(word) for word in text.split()[:MAX_QUERY_TERMS]]
    return {
        "bool": {
            "should": [
                {"bool": {"must": per_word}},
                {"term": {"sku": {"value": text.strip(), "boost": 50}}},
            ],
            "minimum_should_match": 1,
        }
    }


def _word_query(word: str) -> dict[str, Any]:
    clauses: list[dict[str, Any]] = [
        {
            "multi_match": {
                "query": word,
                "fields": SEARCH_FIELDS,
                "type": "best_fields",
                "tie_breaker": 0.3,
                # A word the analyzer splits ("usb-c", "kep-0000003") is matched whole.
                "operator": "and",
                "fuzziness": 0 if any(character.isdigit() for character in word) else "AUTO:4,8",
                "prefix_length": 1,
                "zero_terms_query": "all",
            }
        }
    ]
    if len(word) >= MIN_PREFIX_LENGTH:
        name_starts = {"match": {"name.prefix": {"query": word, "operator": "and"}}}
        clauses.append({"constant_score": {"filter": name_starts, "boost": PREFIX_SCORE}})
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def _ranking_boosters(text: str) -> list[dict[str, Any]]:
    """Exact (unfuzzed) matches and whole phrases rank above fuzzy and scattered ones."""
    return [
        {"term": {"sku": {"value": text.strip(), "boost": 100}}},
        {"match_phrase": {"name.exact": {"query": text, "slop": 1, "boost": 8}}},
        {
            "multi_match": {
                "query": text,
                "fields": SEARCH_FIELDS,
                "type": "cross_fields",
                "operator": "and",
                "boost": 2,
            }
        },
    ]


def _base_clauses(active: str) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = [{"bool": {"must_not": [{"term": {"deleted": True}}]}}]
    if active != "all":
        clauses.append({"term": {"is_active": active == "true"}})
    return clauses


def _facet_filter_clauses(filters: ProductFilters) -> dict[str, dict[str, Any]]:
    clauses: dict[str, dict[str, Any]] = {}
    if filters.brands:
        clauses["brand"] = {"terms": {"brand.slug": list(filters.brands)}}
    if filters.categories:
        clauses["category"] = {"terms": {"category.path_slugs": list(filters.categories)}}
    if filters.min_price is not None or filters.max_price is not None:
        bounds = {}
        if filters.min_price is not None:
            bounds["gte"] = int(filters.min_price * 100)
        if filters.max_price is not None:
            bounds["lte"] = int(filters.max_price * 100)
        clauses["price"] = {"range": {"price_cents": bounds}}
    if filters.in_stock is not None:
        clauses["in_stock"] = {"term": {"in_stock": filters.in_stock}}
    return clauses


def _filter_clauses(filters: ProductFilters, *, include_facet_filters: bool = True) -> list[dict[str, Any]]:
    clauses = _base_clauses(filters.active)
    clauses += [{"term": {"tags": tag}} for tag in filters.tags]
    clauses += [{"term": {f"attributes.{name}": value}} for name, value in filters.attributes]
    if include_facet_filters:
        clauses += list(_facet_filter_clauses(filters).values())
    return clauses


def _facet_aggregations(facet_filters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    per_facet = {
        "brand": {
            "terms": {"field": "brand.slug", "size": 50},
            "aggs": {"label": {"terms": {"field": "brand.name.keyword", "size": 1}}},
        },
        "category": {
            "terms": {"field": "category.slug", "size": 50},
            "aggs": {"label": {"terms": {"field": "category.name.keyword", "size": 1}}},
        },
        "price": {
            "range": {
                "field": "price_cents",
                "ranges": [
                    {key: bound for key, bound in (("from", low), ("to", high)) if bound is not None}
                    for low, high in PRICE_BANDS
                ],
            }
        },
        "in_stock": {"terms": {"field": "in_stock", "size": 2}},
    }
    return {
        name: {
            "filter": {"bool": {"filter": [c for other, c in facet_filters.items() if other != name]}},
            "aggs": {"values": aggregation},
        }
        for name, aggregation in per_facet.items()
    }


def facets(aggregations: dict[str, Any]) -> dict[str, Any]:
    """The facets of a search answer, from the aggregations `search_query` asked for."""

    def labelled(name: str) -> list[dict[str, Any]]:
        return [
            {
                "value": bucket["key"],
                "label": (bucket["label"]["buckets"] or [{"key": bucket["key"]}])[0]["key"],
                "count": bucket["doc_count"],
            }
            for bucket in aggregations[name]["values"]["buckets"]
        ]

    def money(cents: float | None) -> str | None:
        return None if cents is None else f"{Decimal(int(cents)) / 100:.2f}"

    stock_counts = {
        bucket["key_as_string"]: bucket["doc_count"]
        for bucket in aggregations["in_stock"]["values"]["buckets"]
    }
    return {
        "brand": labelled("brand"),
        "category": labelled("category"),
        "price": [
            {
                "from": money(bucket.get("from")),
                "to": money(bucket.get("to")),
                "count": bucket["doc_count"],
            }
            for bucket in aggregations["price"]["values"]["buckets"]
        ],
        "in_stock": {
            "true": stock_counts.get("true", 0),
            "false": stock_counts.get("false", 0),
        },
    }
