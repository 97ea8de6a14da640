"""Read-side queries: get, list, search and suggest, answered by Elasticsearch alone.

User text only ever reaches `match`-family queries and `term` queries, never a query-string
syntax, so quotes, wildcards, brackets and boolean words are searched as plain text.
"""

import base64
import binascii
import json
import math
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from elasticsearch import NotFoundError

from . import index
from .client import get_client
from .exceptions import InvalidCursor, elasticsearch_errors

MAX_RESULT_WINDOW = 10_000
MAX_QUERY_TERMS = 12
SUGGESTION_LIMIT = 10
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
# Document fields that exist for querying only and are not part of the API's product.
_INTERNAL_FIELDS = ("price_cents", "deleted")


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


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: the sort values of the last hit (search_after)."""

    after: list[Any]
    page: int
    ordering: str

    def encode(self) -> str:
        raw = json.dumps({"a": self.after, "p": self.page, "o": self.ordering}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "Cursor":
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            after, page, ordering = raw["a"], raw["p"], raw["o"]
        except (ValueError, TypeError, KeyError, binascii.Error) as error:
            raise InvalidCursor("Not a cursor written by this service.") from error
        valid = (
            isinstance(page, int)
            and page >= 2
            and ordering in ORDERINGS
            and isinstance(after, list)
            and _valid_sort_values(after, ordering)
        )
        if not valid:
            raise InvalidCursor("Not a cursor written by this service.")
        return cls(after=after, page=page, ordering=ordering)


def _valid_sort_values(after: list[Any], ordering: str) -> bool:
    """Whether `after` has the shape Elasticsearch writes for the ordering's sort: a score, a
    name or a long (prices, dates in milliseconds), then the id. Anything else would make it
    refuse the query, so a tampered cursor is refused here, as bad input."""
    sort = [next(iter(clause)) for clause in ORDERINGS[ordering]]
    if len(after) != len(sort):
        return False
    kinds = {"_score": _is_score, "name.sort": lambda value: isinstance(value, str)}
    return all(kinds.get(name, _is_long)(value) for name, value in zip(sort, after, strict=True))


def _is_long(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _is_score(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class PageRequest:
    page_size: int = 20
    page: int = 1
    cursor: Cursor | None = None


@dataclass
class ResultPage:
    count: int
    page: int
    page_size: int
    results: list[dict[str, Any]]
    next_cursor: str | None
    facets: dict[str, Any] | None = None
    has_previous: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def get_product(*, product_id: int, include_inactive: bool = False) -> dict[str, Any] | None:
    with elasticsearch_errors():
        try:
            hit = get_client().get(index=index.alias_name(), id=str(product_id))
        except NotFoundError:
            return None
    document = hit["_source"]
    if document.get("deleted") or (not document["is_active"] and not include_inactive):
        return None
    return _public(document)


def wait_for_version(
    *, product_id: int, min_version: int, include_inactive: bool = False, timeout: float = 5.0
) -> tuple[dict[str, Any] | None, int | None]:
    """Read-your-writes: poll the real-time GET until the index holds `min_version` or newer.
    Returns the document (or None) and the version the index holds (None when it holds none)."""
    deadline = time.monotonic() + timeout
    while True:
        with elasticsearch_errors():
            try:
                source = get_client().get(index=index.alias_name(), id=str(product_id))["_source"]
            except NotFoundError:
                source = None
        version = source["version"] if source else None
        if version is not None and version >= min_version:
            visible = not source.get("deleted") and (source["is_active"] or include_inactive)
            return (_public(source) if visible else None), version
        if time.monotonic() >= deadline:
            return None, version
        time.sleep(0.05)


def list_products(*, filters: ProductFilters, ordering: str = "-created_at", page: PageRequest) -> ResultPage:
    body = {"query": {"bool": {"filter": _filter_clauses(filters)}}}
    return _paged_search(body, ordering=ordering, page=page)


def search_products(
    *, text: str, filters: ProductFilters, ordering: str = "relevance", page: PageRequest
) -> ResultPage:
    facet_filters = _facet_filter_clauses(filters)
    body: dict[str, Any] = {
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
        "highlight": {
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
        },
    }
    result = _paged_search(body, ordering=ordering, page=page, with_score=True)
    result.facets = _facets(result.extra.pop("aggregations"))
    return result


def suggest_products(*, text: str, limit: int = SUGGESTION_LIMIT) -> list[dict[str, Any]]:
    body = {
        "query": {
            "bool": {
                "must": [{"match": {"name.prefix": {"query": text, "operator": "and"}}}],
                "should": [{"match_phrase_prefix": {"name.exact": {"query": text}}}],
                "filter": _filter_clauses(ProductFilters()),
            }
        },
        "sort": [{"_score": "desc"}, {"name.sort": "asc"}, {"id": "asc"}],
        "_source": ["id", "name", "brand", "category.slug", "category.name"],
        "size": limit,
    }
    with elasticsearch_errors():
        response = get_client().search(index=index.alias_name(), **body)
    return [
        {
            "id": hit["_source"]["id"],
            "name": hit["_source"]["name"],
            "brand": hit["_source"]["brand"],
            "category": hit["_source"]["category"],
        }
        for hit in response["hits"]["hits"]
    ]


# --- query building ---------------------------------------------------------------------------


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
    facets = {
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
        for name, aggregation in facets.items()
    }


def _facets(aggregations: dict[str, Any]) -> dict[str, Any]:
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


def _paged_search(
    body: dict[str, Any], *, ordering: str, page: PageRequest, with_score: bool = False
) -> ResultPage:
    body = {**body, "sort": ORDERINGS[ordering], "size": page.page_size, "track_total_hits": True}
    if page.cursor is not None:
        body["search_after"] = page.cursor.after
        page_number = page.cursor.page
    else:
        body["from"] = (page.page - 1) * page.page_size
        page_number = page.page
    with elasticsearch_errors():
        response = get_client().search(index=index.alias_name(), **body)
    hits = response["hits"]["hits"]
    total = response["hits"]["total"]["value"]
    results = []
    for hit in hits:
        product = _public(hit["_source"])
        if with_score:
            product["score"] = hit["_score"]
            highlight = hit.get("highlight", {})
            product["highlight"] = {
                "name": highlight.get("name", []),
                "description": highlight.get("description", []),
            }
        results.append(product)
    seen = (page_number - 1) * page.page_size + len(hits)
    next_cursor = None
    if hits and seen < total:
        next_cursor = Cursor(after=hits[-1]["sort"], page=page_number + 1, ordering=ordering).encode()
    return ResultPage(
        count=total,
        page=page_number,
        page_size=page.page_size,
        results=results,
        next_cursor=next_cursor,
        has_previous=page_number > 1,
        extra={"aggregations": response.get("aggregations")},
    )


def _public(document: dict[str, Any]) -> dict[str, Any]:
    product = {key: value for key, value in document.items() if key not in _INTERNAL_FIELDS}
    if product.get("category"):
        product["category"] = {
            key: value for key, value in product["category"].items() if key != "path_slugs"
        }
    return product


def indexed_state(*, product_id: int) -> dict[str, Any] | None:
    """What the read side holds for a product, deleted or inactive included (for staff)."""
    with elasticsearch_errors():
        try:
            source = get_client().get(
                index=index.alias_name(),
                id=str(product_id),
                source_includes=["version", "indexed_at", "deleted"],
            )["_source"]
        except NotFoundError:
            return None
    return {
        "version": source["version"],
        "indexed_at": source["indexed_at"],
        "deleted": bool(source.get("deleted")),
    }
