"""Walking a result set larger than Elasticsearch's 10,000-hit window through `next` links
(cursor pagination with search_after): every product exactly once, counts that add up, and
`previous` links while page numbers still work.

The catalog is bulk-inserted into MySQL and indexed by a rebuild, as an operator would load
one: going through the services and the worker would take minutes for no extra coverage."""

from typing import Any

import pytest

from catalog.models import Product
from search.paging import MAX_RESULT_WINDOW
from tests.search.conftest import load_demo_catalog

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CATALOG_SIZE = 16_000
PAGE_SIZE = 100
LIST = "/api/products/"
SEARCH = "/api/products/search/"
# A word in about 70% of the demo descriptions: a search result past the window.
COMMON_WORD = "carry"


def _walk(api, url: str, params: dict[str, Any]) -> tuple[int, list[int], list[dict[str, Any]]]:
    """Follow `next` from the first page to the end: the count the first page announced, every
    id in the order served, and every page's envelope (results left out)."""
    response = api.get(url, {**params, "page_size": PAGE_SIZE})
    assert response.status_code == 200, response.content
    count, ids, pages = response.json()["count"], [], []
    while True:
        body = response.json()
        assert body["count"] == count, "the count must not change while walking"
        ids += [hit["id"] for hit in body["results"]]
        pages.append({key: value for key, value in body.items() if key != "results"})
        if not body["next"]:
            return count, ids, pages
        assert len(body["results"]) == PAGE_SIZE, "only the last page may be short"
        response = api.get(body["next"])
        assert response.status_code == 200, (body["next"], response.content)


def test_next_links_walk_a_catalog_larger_than_the_result_window_exactly_once(search_index, api):
    # given a catalog well past the 10,000-hit window
    load_demo_catalog(CATALOG_SIZE)
    active = set(Product.objects.filter(is_active=True).values_list("pk", flat=True))
    assert len(active) > MAX_RESULT_WINDOW

    # when the list is walked through `next`, newest first (the default) and by price
    for ordering in ("-created_at", "price"):
        count, ids, pages = _walk(api, LIST, {"ordering": ordering})

        # then every active product comes exactly once, and the count says so
        assert count == len(active)
        assert len(ids) == len(set(ids)) == count, f"{ordering}: duplicates or gaps"
        assert set(ids) == active
        assert pages[0]["previous"] is None
        assert pages[1]["previous"] is not None and "page=1" in pages[1]["previous"]
        # past the window there is no page number to go back to; `next` goes on
        assert pages[-1]["previous"] is None and pages[-1]["next"] is None

    # and a search matching more than 10,000 products is walked the same way, by relevance
    count, ids, _ = _walk(api, SEARCH, {"q": COMMON_WORD})
    assert count > MAX_RESULT_WINDOW
    assert len(ids) == len(set(ids)) == count
    assert set(ids) <= active


def test_page_numbers_and_cursors_serve_the_same_pages(search_index, api):
    # given a small catalog read both ways
    load_demo_catalog(250)
    params = {"ordering": "name", "page_size": 40}

    by_number = [
        [hit["id"] for hit in api.get(LIST, {**params, "page": page}).json()["results"]]
        for page in range(1, 8)
    ]
    by_cursor, body = [], api.get(LIST, params).json()
    while True:
        by_cursor.append([hit["id"] for hit in body["results"]])
        if not body["next"]:
            break
        body = api.get(body["next"]).json()

    # then they agree page by page, and the page past the end is empty, not an error
    assert by_cursor == by_number[: len(by_cursor)]
    assert by_number[len(by_cursor) :] == [[]] * (7 - len(by_cursor))
    # and `previous` from a cursor page leads back to the page before it
    second = api.get(api.get(LIST, params).json()["next"]).json()
    third = api.get(second["next"]).json()
    assert [hit["id"] for hit in api.get(third["previous"]).json()["results"]] == by_number[1]
