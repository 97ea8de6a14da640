"""Elasticsearch request bodies for the brand list and the category tree, and both answers read
back from the aggregations they ask for: pure functions, no I/O.

The read model holds products only, so brands and categories are known from the storefront
products that name them: a brand or category without an active product is not in the answer.
Each product document carries its category's path of slugs and names from the root
(search.documents), which is all the tree needs: a category's count is the number of products
whose path passes through it, so it includes its descendants' products.
"""

from typing import Any

from .query_building import ProductFilters, list_query

# Upper bounds on the brands and categories one answer lists: far above a catalog's real
# numbers, and below Elasticsearch's bucket limit (search.max_buckets, 65,536).
MAX_BRANDS = 10_000
MAX_CATEGORIES = 10_000


def _storefront_products() -> dict[str, Any]:
    """The products a storefront shows: active and not deleted, as the list's default."""
    return list_query(ProductFilters())["query"]


def brands_query() -> dict[str, Any]:
    """Every brand of a storefront product, with its name and number of products."""
    return {
        "query": _storefront_products(),
        "size": 0,
        "aggs": {
            "brands": {
                "terms": {"field": "brand.slug", "size": MAX_BRANDS},
                "aggs": {"label": {"terms": {"field": "brand.name.keyword", "size": 1}}},
            }
        },
    }


def brands(aggregations: dict[str, Any]) -> list[dict[str, Any]]:
    """The brands of a `brands_query` answer, by name."""
    listed = [
        {
            "slug": bucket["key"],
            "name": (bucket["label"]["buckets"] or [{"key": bucket["key"]}])[0]["key"],
            "count": bucket["doc_count"],
        }
        for bucket in aggregations["brands"]["buckets"]
    ]
    return sorted(listed, key=_by_name)


def category_tree_query() -> dict[str, Any]:
    """Per category on some storefront product's path, its number of products (`counts`); and
    per category products are in, one path from the root to it (`paths`), which names every
    category above it. Among documents written before and after a rename or move, the most
    recently indexed one gives the path."""
    return {
        "query": _storefront_products(),
        "size": 0,
        "aggs": {
            "counts": {"terms": {"field": "category.path_slugs", "size": MAX_CATEGORIES}},
            "paths": {
                "terms": {"field": "category.slug", "size": MAX_CATEGORIES},
                "aggs": {
                    "newest": {
                        "top_hits": {
                            "size": 1,
                            "sort": [{"indexed_at": "desc"}],
                            "_source": ["category.path", "category.path_slugs"],
                        }
                    }
                },
            },
        },
    }


def category_tree(aggregations: dict[str, Any]) -> list[dict[str, Any]]:
    """The category tree of a `category_tree_query` answer: the top categories by name, each
    `{slug, name, count, children}` with its children likewise."""
    counts = {bucket["key"]: bucket["doc_count"] for bucket in aggregations["counts"]["buckets"]}
    # Each path with the time its document was indexed (the value it was sorted by).
    paths = [bucket["newest"]["hits"]["hits"][0] for bucket in aggregations["paths"]["buckets"]]
    newest_first = sorted(paths, key=lambda hit: hit["sort"][0], reverse=True)
    names: dict[str, str] = {}
    parents: dict[str, str | None] = {}
    for hit in newest_first:
        category = hit["_source"]["category"]
        parent = None
        for slug, name in zip(category["path_slugs"], category["path"], strict=True):
            # The newest path that names a category places it: while a rename or move is
            # being indexed, older documents may still show it elsewhere.
            names.setdefault(slug, name)
            parents.setdefault(slug, parent)
            parent = slug
    children: dict[str | None, list[str]] = {}
    for slug, parent in parents.items():
        children.setdefault(parent, []).append(slug)

    def node(slug: str) -> dict[str, Any]:
        return {
            "slug": slug,
            "name": names[slug],
            "count": counts.get(slug, 0),
            "children": sorted((node(child) for child in children.get(slug, [])), key=_by_name),
        }

    # Walked down from the top: every category has one parent, so none is reached twice.
    return sorted((node(slug) for slug in children.get(None, [])), key=_by_name)


def _by_name(item: dict[str, Any]) -> tuple[str, str]:
    return item["name"].casefold(), item["slug"]
