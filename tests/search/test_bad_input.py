"""Bad input to the query endpoints: every invalid parameter is a 400 that names it and says
why, and whatever a shopper types is searched as text, never as query syntax.

A 400 is decided before Elasticsearch or the database is asked anything, so those tests need
neither (a database query would fail them); the tests that search mark what they need."""

import base64
import json

import pytest

from search.paging import Cursor
from tests import factories
from tests.search.conftest import project

LIST = "/api/products/"
SEARCH = "/api/products/search/"
SUGGEST = "/api/products/suggest/"


def _token(raw: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


PRICE_CURSOR = Cursor(after=[1999, 7], page=2, ordering="price").encode()

# (parameters, the parameter the 400 must name); each is sent to the list and to search.
LIST_AND_SEARCH_CASES = [
    pytest.param({"page": "abc"}, "page", id="page-not-a-number"),
    pytest.param({"page": "0"}, "page", id="page-zero"),
    pytest.param({"page": "-1"}, "page", id="page-negative"),
    pytest.param({"page": "101", "page_size": "100"}, "page", id="page-past-the-window"),
    pytest.param({"page_size": "0"}, "page_size", id="page_size-zero"),
    pytest.param({"page_size": "1000"}, "page_size", id="page_size-too-big"),
    pytest.param({"page_size": "ten"}, "page_size", id="page_size-not-a-number"),
    pytest.param({"min_price": "x"}, "min_price", id="min_price-not-a-number"),
    pytest.param({"min_price": "-1"}, "min_price", id="min_price-negative"),
    pytest.param({"min_price": "1.001"}, "min_price", id="min_price-fraction-of-a-cent"),
    pytest.param({"min_price": "NaN"}, "min_price", id="min_price-nan"),
    pytest.param({"max_price": "Infinity"}, "max_price", id="max_price-infinite"),
    pytest.param({"max_price": "1e400"}, "max_price", id="max_price-huge"),
    pytest.param({"min_price": "50", "max_price": "10"}, "min_price", id="min_price-above-max_price"),
    pytest.param({"ordering": "cheapest"}, "ordering", id="ordering-unknown"),
    pytest.param({"ordering": "price,name"}, "ordering", id="ordering-several"),
    pytest.param({"in_stock": "maybe"}, "in_stock", id="in_stock-not-a-boolean"),
    pytest.param({"is_active": "sometimes"}, "is_active", id="is_active-unknown"),
    pytest.param({"brand": "Not A Slug!"}, "brand", id="brand-not-a-slug"),
    pytest.param({"category": "a/b"}, "category", id="category-not-a-slug"),
    pytest.param({"tag": "t" * 51}, "tag", id="tag-too-long"),
    pytest.param({"attr.": "red"}, "attr", id="attribute-without-name"),
    pytest.param({"colour": "red"}, "colour", id="unknown-parameter"),
    pytest.param({"Page": "2"}, "Page", id="unknown-parameter-case"),
    pytest.param({"cursor": "abc"}, "cursor", id="cursor-garbage"),
    pytest.param({"cursor": "%%%"}, "cursor", id="cursor-not-base64"),
    pytest.param({"cursor": _token([1, 2])}, "cursor", id="cursor-not-an-object"),
    pytest.param({"cursor": _token({"a": [1, 2], "p": 2})}, "cursor", id="cursor-missing-key"),
    pytest.param({"cursor": _token({"a": [1, 2], "p": 1, "o": "price"})}, "cursor", id="cursor-page-1"),
    pytest.param({"cursor": _token({"a": [1, 2], "p": 2, "o": "cheap"})}, "cursor", id="cursor-bad-ordering"),
    pytest.param(
        {"cursor": _token({"a": "x", "p": 2, "o": "price"})}, "cursor", id="cursor-after-not-a-list"
    ),
    pytest.param({"cursor": _token({"a": [1], "p": 2, "o": "price"})}, "cursor", id="cursor-one-value"),
    pytest.param({"cursor": _token({"a": [1, 2, 3], "p": 2, "o": "price"})}, "cursor", id="cursor-three"),
    pytest.param({"cursor": _token({"a": ["x", 2], "p": 2, "o": "price"})}, "cursor", id="cursor-text-price"),
    pytest.param(
        {"cursor": _token({"a": [1.5, 2], "p": 2, "o": "price"})}, "cursor", id="cursor-float-price"
    ),
    pytest.param({"cursor": _token({"a": [2**70, 2], "p": 2, "o": "price"})}, "cursor", id="cursor-huge"),
    pytest.param({"cursor": _token({"a": [True, 2], "p": 2, "o": "price"})}, "cursor", id="cursor-boolean"),
    pytest.param({"cursor": _token({"a": [None, 2], "p": 2, "o": "price"})}, "cursor", id="cursor-null"),
    pytest.param(
        {"cursor": _token({"a": [5, "x"], "p": 2, "o": "name"})}, "cursor", id="cursor-number-for-name"
    ),
    pytest.param({"cursor": PRICE_CURSOR, "ordering": "-price"}, "cursor", id="cursor-other-ordering"),
    pytest.param(
        {"cursor": base64.urlsafe_b64encode(b"[" * 100_000).decode()}, "cursor", id="cursor-deeply-nested"
    ),
]


@pytest.mark.parametrize(("params", "parameter"), LIST_AND_SEARCH_CASES)
@pytest.mark.parametrize("url", [LIST, SEARCH])
def test_a_bad_parameter_is_a_400_naming_it(api, url, params, parameter):
    if url == SEARCH:
        params = {"q": "lamp", **params}

    response = api.get(url, params)

    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == [parameter], body
    assert all(isinstance(reason, str) and reason for reason in body[parameter]), body


def test_a_list_cursor_is_refused_by_a_search_sorted_by_relevance(api):
    response = api.get(SEARCH, {"q": "lamp", "cursor": PRICE_CURSOR})

    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


def test_relevance_is_not_an_ordering_of_the_list(api):
    response = api.get(LIST, {"ordering": "relevance"})

    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]


TEXT_CASES = [
    pytest.param({}, id="missing"),
    pytest.param({"q": ""}, id="empty"),
    pytest.param({"q": "   "}, id="blank"),
    pytest.param({"q": "x" * 257}, id="too-long"),
    pytest.param({"q": "lamp\x00"}, id="null-character"),
]


@pytest.mark.parametrize("params", TEXT_CASES)
@pytest.mark.parametrize("url", [SEARCH, SUGGEST])
def test_search_and_suggest_need_a_sensible_q(api, url, params):
    response = api.get(url, params)

    assert response.status_code == 400, response.content
    assert list(response.json()) == ["q"], response.json()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_q_of_256_characters_is_accepted(search_index, api):
    assert api.get(SEARCH, {"q": "lamp " * 51 + "l"}).status_code == 200
    assert api.get(SUGGEST, {"q": "x" * 256}).status_code == 200


@pytest.mark.parametrize(
    ("url", "params", "parameter"),
    [
        (SUGGEST, {"q": "lamp", "limit": "5"}, "limit"),
        (SUGGEST, {"q": "lamp", "brand": "acme"}, "brand"),
        ("/api/products/1/", {"fields": "name"}, "fields"),
        ("/api/products/1/", {"min_version": "zero"}, "min_version"),
        ("/api/products/1/", {"min_version": "0"}, "min_version"),
    ],
)
def test_suggest_and_detail_refuse_unknown_and_bad_parameters(api, url, params, parameter):
    response = api.get(url, params)

    assert response.status_code == 400, response.content
    assert list(response.json()) == [parameter]


HOSTILE_TEXT = [
    '"',
    '"unterminated phrase',
    "*",
    "lamp*",
    "(",
    "(lamp",
    "\\",
    "lamp\\",
    "AND",
    "lamp AND OR NOT",
    "{",
    "{lamp}",
    "[1 TO 5]",
    "name:lamp",
    "lamp~2",
    "lamp^10",
    "/lam.*/",
    "+lamp -desk",
    "&& || !",
    "<script>alert(1)</script>",
    "'; DROP TABLE catalog_product; --",
    "ünïcödé ☕ 🚀",
    "?",
    "-",
    "a" * 256,
    " ".join(["lamp"] * 51),
]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_any_text_is_searched_as_text_and_never_errors(search_index, api):
    category = factories.category()
    factories.product(name="Desk Lamp", category=category)
    factories.product(name="Lamp Shade", category=category)
    project()

    failures = [
        (url, text, response.status_code)
        for text in HOSTILE_TEXT
        for url in (SEARCH, SUGGEST)
        if (response := api.get(url, {"q": text})).status_code != 200
    ]

    assert failures == []


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_query_syntax_characters_are_matched_as_plain_words(search_index, api):
    # given products whose names contain what a query syntax would treat as operators
    category = factories.category()
    wanted = factories.product(name='Adapter {USB-C} "Pro" (2m) \\ Hub*', category=category)
    factories.product(name="Desk Lamp AND Charger", category=category)
    project()

    # when the name is searched as typed, operators and all
    hits = api.get(SEARCH, {"q": 'adapter {usb-c} "pro" (2m) \\ hub*'}).json()["results"]

    # then the words are found, and the brackets, quotes and stars mean nothing
    assert [hit["id"] for hit in hits] == [wanted.pk]
    assert api.get(SEARCH, {"q": "lamp AND"}).json()["count"] == 1
    assert api.get(SEARCH, {"q": "lamp NOT charger"}).json()["count"] == 1
