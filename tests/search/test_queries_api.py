"""The query endpoints against a real Elasticsearch: filters, facets, orderings, highlighting,
suggestions, visibility of inactive and deleted products, the detail's ETag and the caching
headers, all as a storefront sees them through the API."""

import time
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.throttling import ClientRateThrottle
from catalog import services
from tests import factories
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LIST = "/api/products/"
SEARCH = "/api/products/search/"
SUGGEST = "/api/products/suggest/"
# Every description in the `shop` fixture mentions it: searching it finds the whole shop.
EVERYTHING = {"q": "gear"}


def _keys(shop: dict[str, Any], results: list[dict[str, Any]]) -> list[str]:
    by_id = {product.pk: key for key, product in shop.items()}
    return [by_id[result["id"]] for result in results]


def _listed(api, shop, url: str, params: dict[str, Any]) -> list[str]:
    response = api.get(url, params)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == len(body["results"])
    return _keys(shop, body["results"])


# --- filters ------------------------------------------------------------------------------------

FILTER_CASES = [
    pytest.param({"brand": "acme"}, {"studio", "mechanical"}, id="brand"),
    pytest.param(
        {"brand": ["acme", "northwind"]}, {"studio", "travel", "mechanical", "wireless"}, id="brands"
    ),
    pytest.param(
        {"category": "electronics"}, {"studio", "travel", "mechanical", "wireless"}, id="category-tree"
    ),
    pytest.param({"category": "headphones"}, {"studio", "travel"}, id="category-leaf"),
    pytest.param({"category": ["headphones", "running-shoes"]}, {"studio", "travel", "run"}, id="categories"),
    pytest.param({"category": "no-such-category"}, set(), id="category-unknown"),
    pytest.param({"min_price": "99"}, {"studio", "travel", "run"}, id="min_price-inclusive"),
    pytest.param({"max_price": "49.50"}, {"mechanical", "wireless"}, id="max_price-inclusive"),
    pytest.param({"min_price": "20", "max_price": "100"}, {"studio", "mechanical"}, id="price-range"),
    pytest.param({"min_price": "50", "max_price": "50"}, set(), id="price-empty-range"),
    pytest.param({"in_stock": "true"}, {"studio", "mechanical", "wireless"}, id="in_stock-true"),
    pytest.param({"in_stock": "false"}, {"travel", "run"}, id="in_stock-false"),
    pytest.param({"tag": "sale"}, {"studio", "wireless", "run"}, id="tag"),
    pytest.param({"attr.color": "black"}, {"studio", "mechanical"}, id="attribute"),
    pytest.param({"attr.switch": "brown"}, {"mechanical"}, id="other-attribute"),
    pytest.param({"attr.color": "BLACK"}, set(), id="attribute-exact-value"),
    pytest.param({"brand": "northwind", "in_stock": "true"}, {"wireless"}, id="combined"),
    pytest.param({"brand": "acme", "attr.color": "white"}, set(), id="combined-none"),
]


@pytest.mark.parametrize(("params", "expected"), FILTER_CASES)
def test_each_filter_narrows_list_and_search(shop, api, params, expected):
    # given the shop; when a filter is applied to the list and to a search matching everything
    listed = _listed(api, shop, LIST, params)
    searched = _listed(api, shop, SEARCH, {**EVERYTHING, **params})

    # then both return exactly the active products it selects
    assert set(listed) == expected
    assert set(searched) == expected


# --- facets -------------------------------------------------------------------------------------


def _facets(api, params: dict[str, Any]) -> dict[str, Any]:
    response = api.get(SEARCH, {**EVERYTHING, **params})
    assert response.status_code == 200, response.json()
    facets = response.json()["facets"]
    return {
        "brand": {(value["value"], value["label"]): value["count"] for value in facets["brand"]},
        "category": {(value["value"], value["label"]): value["count"] for value in facets["category"]},
        "price": {(band["from"], band["to"]): band["count"] for band in facets["price"] if band["count"]},
        "price_bands": [(band["from"], band["to"]) for band in facets["price"]],
        "in_stock": facets["in_stock"],
        "count": response.json()["count"],
    }


def test_facets_count_the_whole_result_without_filters(shop, api):
    facets = _facets(api, {})

    assert facets["count"] == 5
    assert facets["brand"] == {("acme", "Acme"): 2, ("northwind", "Northwind"): 2}
    assert facets["category"] == {
        ("headphones", "Headphones"): 2,
        ("keyboards", "Keyboards"): 2,
        ("running-shoes", "Running Shoes"): 1,
    }
    assert facets["price_bands"] == [
        (None, "25.00"),
        ("25.00", "50.00"),
        ("50.00", "100.00"),
        ("100.00", "250.00"),
        ("250.00", "500.00"),
        ("500.00", None),
    ]
    assert facets["price"] == {
        (None, "25.00"): 1,
        ("25.00", "50.00"): 1,
        ("50.00", "100.00"): 1,
        ("100.00", "250.00"): 2,
    }
    assert facets["in_stock"] == {"true": 3, "false": 2}


def test_brand_facet_ignores_the_brand_filter_but_the_others_honour_it(shop, api):
    facets = _facets(api, {"brand": "acme"})

    assert facets["count"] == 2
    # a shopper who chose Acme still sees Northwind, to widen the choice
    assert facets["brand"] == {("acme", "Acme"): 2, ("northwind", "Northwind"): 2}
    assert facets["category"] == {("headphones", "Headphones"): 1, ("keyboards", "Keyboards"): 1}
    assert facets["price"] == {("25.00", "50.00"): 1, ("50.00", "100.00"): 1}
    assert facets["in_stock"] == {"true": 2, "false": 0}


def test_category_facet_ignores_the_category_filter_but_the_others_honour_it(shop, api):
    facets = _facets(api, {"category": "headphones"})

    assert facets["count"] == 2
    assert facets["category"] == {
        ("headphones", "Headphones"): 2,
        ("keyboards", "Keyboards"): 2,
        ("running-shoes", "Running Shoes"): 1,
    }
    assert facets["brand"] == {("acme", "Acme"): 1, ("northwind", "Northwind"): 1}
    assert facets["price"] == {("50.00", "100.00"): 1, ("100.00", "250.00"): 1}
    assert facets["in_stock"] == {"true": 1, "false": 1}


def test_price_facet_ignores_the_price_filter_but_the_others_honour_it(shop, api):
    facets = _facets(api, {"min_price": "100"})

    assert facets["count"] == 2
    assert facets["price"] == {
        (None, "25.00"): 1,
        ("25.00", "50.00"): 1,
        ("50.00", "100.00"): 1,
        ("100.00", "250.00"): 2,
    }
    assert facets["brand"] == {("northwind", "Northwind"): 1}
    assert facets["category"] == {("headphones", "Headphones"): 1, ("running-shoes", "Running Shoes"): 1}
    assert facets["in_stock"] == {"true": 0, "false": 2}


def test_in_stock_facet_ignores_the_in_stock_filter_but_the_others_honour_it(shop, api):
    facets = _facets(api, {"in_stock": "true"})

    assert facets["count"] == 3
    assert facets["in_stock"] == {"true": 3, "false": 2}
    assert facets["brand"] == {("acme", "Acme"): 2, ("northwind", "Northwind"): 1}
    assert facets["category"] == {("headphones", "Headphones"): 1, ("keyboards", "Keyboards"): 2}


def test_non_facet_filters_narrow_every_facet(shop, api):
    facets = _facets(api, {"tag": "sale", "attr.color": "white"})

    assert facets["count"] == 1
    assert facets["brand"] == {("northwind", "Northwind"): 1}
    assert facets["category"] == {("keyboards", "Keyboards"): 1}
    assert facets["price"] == {(None, "25.00"): 1}
    assert facets["in_stock"] == {"true": 1, "false": 0}


def test_facets_follow_the_search_text(shop, api):
    facets = _facets(api, {"q": "keyboard"})

    assert facets["count"] == 2
    assert facets["category"] == {("keyboards", "Keyboards"): 2}
    assert facets["brand"] == {("acme", "Acme"): 1, ("northwind", "Northwind"): 1}


# --- ordering -----------------------------------------------------------------------------------


def test_list_orderings(shop, api):
    # given a product changed after all the others were created
    services.product_update(product_id=shop["studio"].pk, changes={"stock": 6})
    project()
    active = ["studio", "travel", "mechanical", "wireless", "run"]  # in creation order

    def ordered(ordering: str | None) -> list[str]:
        return _listed(api, shop, LIST, {"ordering": ordering} if ordering else {})

    by_price = ["wireless", "mechanical", "studio", "run", "travel"]
    by_name = ["mechanical", "studio", "travel", "wireless", "run"]
    assert ordered(None) == active[::-1]  # newest first by default
    assert ordered("-created_at") == active[::-1]
    assert ordered("created_at") == active
    assert ordered("price") == by_price
    assert ordered("-price") == by_price[::-1]
    assert ordered("name") == by_name
    assert ordered("-name") == by_name[::-1]
    assert ordered("-updated_at")[0] == "studio"
    assert ordered("updated_at")[-1] == "studio"
    assert ordered("updated_at") == ordered("-updated_at")[::-1]


def test_search_orders_by_relevance_unless_asked_otherwise(shop, api):
    assert _listed(api, shop, SEARCH, {"q": "acme keyboard"})[0] == "mechanical"
    assert _listed(api, shop, SEARCH, {**EVERYTHING, "ordering": "price"}) == [
        "wireless",
        "mechanical",
        "studio",
        "run",
        "travel",
    ]
    assert _listed(api, shop, SEARCH, {**EVERYTHING, "ordering": "-name"})[0] == "run"


@pytest.mark.parametrize("ordering", ["price", "-price", "name", "-name", "relevance"])
def test_ties_are_broken_by_id_so_pages_never_overlap(search_index, api, ordering):
    # given products that tie on price, name and relevance
    category = factories.category()
    ids = [
        factories.product(name="Twin Lamp", price=Decimal("30.00"), category=category).pk for _ in range(7)
    ]
    project()
    url = SEARCH if ordering == "relevance" else LIST
    params = {"ordering": ordering, **({"q": "twin lamp"} if url == SEARCH else {})}

    # when the whole result is read in one page, and again two at a time through `next`
    whole = [hit["id"] for hit in api.get(url, {**params, "page_size": 100}).json()["results"]]
    walked, page = [], api.get(url, {**params, "page_size": 2}).json()
    while True:
        walked += [hit["id"] for hit in page["results"]]
        if not page["next"]:
            break
        page = api.get(page["next"]).json()

    # then ties come in id order (ascending with an ascending sort), identically both ways
    descending = ordering.startswith("-") or ordering == "relevance"
    assert whole == sorted(ids, reverse=descending)
    assert walked == whole


# --- highlight and score ------------------------------------------------------------------------


def test_search_highlights_what_matched(shop, api):
    hits = {hit["id"]: hit for hit in api.get(SEARCH, {"q": "tactile keyboard"}).json()["results"]}

    mechanical = hits[shop["mechanical"].pk]
    assert mechanical["highlight"]["name"] == ["Acme Mechanical <em>Keyboard</em> K1"]
    assert mechanical["highlight"]["description"] == ["Desk gear with <em>tactile</em> switches."]
    assert isinstance(mechanical["score"], float) and mechanical["score"] > 0


def test_highlight_marks_whole_words_for_word_starts_but_not_typos(shop, api):
    def name_highlights(text: str) -> list[str]:
        return [hit["highlight"]["name"] for hit in api.get(SEARCH, {"q": text}).json()["results"]]

    assert name_highlights("mech keyb") == [["Acme <em>Mechanical</em> <em>Keyboard</em> K1"]]
    # found through the typo, but not marked: highlighting fuzzy expansions costs 10-70x the search
    assert name_highlights("mechanicl keyboard") == [["Acme Mechanical <em>Keyboard</em> K1"]]


def test_a_name_match_outranks_a_description_only_match(search_index, api):
    category = factories.category()
    described = factories.product(name="Desk Mat", description="Fits under any keyboard.", category=category)
    named = factories.product(name="Keyboard Tray", description="Slides under a desk.", category=category)
    project()

    hits = api.get(SEARCH, {"q": "keyboard"}).json()["results"]

    assert [hit["id"] for hit in hits] == [named.pk, described.pk]
    assert hits[1]["highlight"] == {"name": [], "description": ["Fits under any <em>keyboard</em>."]}


def test_an_exact_sku_comes_first(search_index, api):
    category = factories.category()
    factories.product(sku="KB-1000", name="Keyboard KB-1001 Compatible Cover", category=category)
    wanted = factories.product(sku="KB-1001", name="Compact Keyboard", category=category)
    project()

    hits = api.get(SEARCH, {"q": "kb-1001"}).json()["results"]

    assert hits[0]["id"] == wanted.pk


def test_fuzziness_never_turns_skus_model_numbers_or_short_words_into_noise(search_index, api):
    category = factories.category()
    lamp = factories.product(sku="LMP-0000101", name="Desk Lamp L100", category=category)
    factories.product(sku="LMP-0000102", name="Desk Lamp L101", category=category)
    cap = factories.product(name="Wool Cap", category=category)
    factories.product(name="Cat Bed", category=category)
    project()

    def found(text: str) -> list[int]:
        return [hit["id"] for hit in api.get(SEARCH, {"q": text}).json()["results"]]

    assert found("LMP-0000101") == [lamp.pk]
    assert found("lmp-0000101") == [lamp.pk]
    # and typed without its dash, as often as with it
    assert found("LMP0000101") == [lamp.pk]
    assert found("0000101") == [lamp.pk]
    assert found("L100") == [lamp.pk]
    assert found("cap") == [cap.pk]
    # while a longer word still forgives a typo
    assert len(found("lamb")) == 2


def test_stemming_accents_and_typos_match_what_a_shopper_means(shop, api):
    factories.product(name="Café Crème Grinder", category=shop["studio"].category)
    factories.product(name="Travel Laptop", category=shop["studio"].category)
    project()

    def names(text: str) -> list[str]:
        return [hit["name"] for hit in api.get(SEARCH, {"q": text}).json()["results"]]

    assert names("running shoes") == ["Stride Run Shoe"]
    assert names("cafe creme") == ["Café Crème Grinder"]
    assert names("CAFÉ") == ["Café Crème Grinder"]
    assert names("labtop") == ["Travel Laptop"]
    assert names("mechanicl keybord") == ["Acme Mechanical Keyboard K1"]


def test_an_irregular_plural_finds_the_singular_and_the_singular_the_plural(shop, api):
    # given products named in the singular and in an irregular plural
    category = shop["studio"].category
    factories.product(name="Optical Gaming Mouse", category=category)
    factories.product(name="Steak Knives Set", category=category)
    factories.product(name="Over-Ear Headphones for Children", category=category)
    project()

    def names(text: str) -> list[str]:
        return [hit["name"] for hit in api.get(SEARCH, {"q": text, "autocorrect": "false"}).json()["results"]]

    # when a shopper types the other form, then it finds them, as the regular "shoes" finds a Shoe
    assert names("gaming mice") == ["Optical Gaming Mouse"]
    assert names("steak knife") == ["Steak Knives Set"]
    assert names("child's headphones") == ["Over-Ear Headphones for Children"]
    assert names("children") == ["Over-Ear Headphones for Children"]


# --- suggest ------------------------------------------------------------------------------------


def _suggested(api, text: str) -> list[str]:
    response = api.get(SUGGEST, {"q": text})
    assert response.status_code == 200, response.json()
    return [suggestion["name"] for suggestion in response.json()["suggestions"]]


def test_suggest_completes_the_start_of_any_word_of_the_name(shop, api):
    assert _suggested(api, "mech keyb") == ["Acme Mechanical Keyboard K1"]
    assert set(_suggested(api, "keyb")) == {"Acme Mechanical Keyboard K1", "Northwind Wireless Keyboard"}
    assert set(_suggested(api, "head")) == {"Acme Studio Headphones", "Northwind Noise Cancelling Headphones"}
    assert _suggested(api, "stride r") == ["Stride Run Shoe"]
    assert _suggested(api, "STRIDE") == ["Stride Run Shoe"]
    assert _suggested(api, "zebra") == []


def test_text_typed_decomposed_finds_and_suggests_what_composed_text_does(search_index, api):
    # given a product whose name has an umlaut, stored composed as keyboards type it
    factories.product(name="Brünner Desk Lamp", category=factories.category())
    project()
    # and the same words decomposed ("u" and a combining diaeresis), as pasted from a macOS
    # file name
    composed, decomposed = "Brün", unicodedata.normalize("NFD", "Brün")
    assert decomposed != composed

    # then a suggestion and a search find it either way
    assert _suggested(api, decomposed) == _suggested(api, composed) == ["Brünner Desk Lamp"]
    searched = api.get(SEARCH, {"q": unicodedata.normalize("NFD", "brünner lamp")}).json()
    assert [result["name"] for result in searched["results"]] == ["Brünner Desk Lamp"]


def test_suggestions_carry_id_name_brand_and_category_and_skip_hidden_products(shop, api):
    suggestions = api.get(SUGGEST, {"q": "acme"}).json()["suggestions"]

    # the inactive trail shoe and the deleted headphones are not suggested
    assert {suggestion["id"] for suggestion in suggestions} == {shop["studio"].pk, shop["mechanical"].pk}
    assert next(s for s in suggestions if s["id"] == shop["studio"].pk) == {
        "id": shop["studio"].pk,
        "name": "Acme Studio Headphones",
        "brand": {"slug": "acme", "name": "Acme"},
        "category": {"slug": "headphones", "name": "Headphones"},
    }


def test_suggest_returns_at_most_ten(search_index, api):
    category = factories.category()
    for number in range(12):
        factories.product(name=f"Lamp {number}", category=category)
    project()

    assert len(_suggested(api, "lam")) == 10


# --- visibility of inactive and deleted products ------------------------------------------------


@pytest.mark.parametrize("url", [LIST, SEARCH])
def test_only_active_products_unless_catalog_staff_ask(shop, api, staff_api, url):
    params = EVERYTHING if url == SEARCH else {}
    active = {"studio", "travel", "mechanical", "wireless", "run"}

    assert set(_listed(api, shop, url, params)) == active
    assert set(_listed(staff_api, shop, url, params)) == active
    assert set(_listed(staff_api, shop, url, {**params, "is_active": "false"})) == {"trail"}
    # deleted products never show, not even to staff
    assert set(_listed(staff_api, shop, url, {**params, "is_active": "all"})) == active | {"trail"}


@pytest.mark.parametrize("url", [LIST, SEARCH])
@pytest.mark.parametrize("is_active", ["false", "all"])
def test_inactive_products_are_forbidden_without_the_change_permission(shop, api, url, is_active):
    params = {**(EVERYTHING if url == SEARCH else {}), "is_active": is_active}
    viewer = factories.user("catalog.view_product")

    assert api.get(url, params).status_code == 403
    api.force_authenticate(viewer)
    assert api.get(url, params).status_code == 403


# --- detail, ETag and caching -------------------------------------------------------------------


def test_detail_returns_the_document_with_its_version_as_etag(shop, api):
    response = api.get(f"{LIST}{shop['mechanical'].pk}/")

    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    product = response.json()
    assert product == {
        "id": shop["mechanical"].pk,
        "sku": shop["mechanical"].sku,
        "name": "Acme Mechanical Keyboard K1",
        "description": "Desk gear with tactile switches.",
        "brand": {"slug": "acme", "name": "Acme"},
        "category": {
            "slug": "keyboards",
            "name": "Keyboards",
            "path": ["Electronics", "Computers", "Keyboards"],
        },
        "price": "49.50",
        "currency": "USD",
        "stock": 12,
        "in_stock": True,
        # created the way products were before variants: one default variant
        "variants": [
            {
                "sku": shop["mechanical"].sku,
                "options": {},
                "price": "49.50",
                "compare_at_price": None,
                "stock": 12,
                "in_stock": True,
            }
        ],
        "tags": ["wired"],
        "attributes": {"color": "black", "switch": "brown"},
        "is_active": True,
        "version": 1,
        "created_at": product["created_at"],
        "updated_at": product["updated_at"],
        "indexed_at": product["indexed_at"],
    }

    # when it changes, the ETag follows its version
    services.product_update(product_id=shop["mechanical"].pk, changes={"price": Decimal("45.00")})
    project()
    changed = api.get(f"{LIST}{shop['mechanical'].pk}/")
    assert changed["ETag"] == '"2"'
    assert changed.json()["price"] == "45.00"
    assert changed.json()["variants"][0]["price"] == "45.00"


def test_detail_is_404_for_missing_deleted_and_inactive_products(shop, api, staff_api):
    assert api.get(f"{LIST}999999/").status_code == 404
    assert api.get(f"{LIST}{shop['retired'].pk}/").status_code == 404
    assert api.get(f"{LIST}{shop['trail'].pk}/").status_code == 404
    assert api.get(f"{LIST}{shop['trail'].pk}/").json()["detail"]
    # catalog staff may look at an inactive product, never at a deleted one
    assert staff_api.get(f"{LIST}{shop['trail'].pk}/").status_code == 200
    assert staff_api.get(f"{LIST}{shop['retired'].pk}/").status_code == 404


def test_anonymous_min_version_is_answered_at_once_with_retry_after(shop, api, settings):
    # given a wait long enough to notice
    settings.READ_YOUR_WRITES_WAIT_SECONDS = 3
    studio = shop["studio"]

    # when an anonymous reader asks for a version the index does not hold yet
    started = time.monotonic()
    response = api.get(f"{LIST}{studio.pk}/", {"min_version": studio.version + 5})
    elapsed = time.monotonic() - started

    # then it is told so at once, holding no web worker, and when to ask again
    assert response.status_code == 409
    assert response.json()["indexed_version"] == studio.version
    assert int(response["Retry-After"]) >= 1
    assert elapsed < 1, elapsed


def test_signed_in_min_version_waits_for_a_bounded_time(shop, staff_api, settings):
    settings.READ_YOUR_WRITES_WAIT_SECONDS = 0.4
    studio = shop["studio"]

    started = time.monotonic()
    response = staff_api.get(f"{LIST}{studio.pk}/", {"min_version": studio.version + 5})
    elapsed = time.monotonic() - started

    assert response.status_code == 409
    assert response.json()["indexed_version"] == studio.version
    assert 0.4 <= elapsed < 2.5, elapsed


def test_signed_in_waits_beyond_the_shared_cap_are_answered_at_once(shop, staff_api, settings):
    # given a long wait, and every waiting slot of the web processes taken
    settings.READ_YOUR_WRITES_WAIT_SECONDS = 3
    settings.READ_YOUR_WRITES_MAX_WAITING = 2
    for number in range(2):
        assert cache.add(f"read-your-writes-slot-{number}", 1, timeout=30)
    studio = shop["studio"]

    # when a signed-in caller asks for a version not indexed yet
    started = time.monotonic()
    response = staff_api.get(f"{LIST}{studio.pk}/", {"min_version": studio.version + 5})
    elapsed = time.monotonic() - started

    # then it holds no worker: the answer comes at once, with Retry-After
    assert response.status_code == 409 and int(response["Retry-After"]) >= 1
    assert elapsed < 1, elapsed

    # and once a slot is free again, a signed-in caller waits as before
    cache.delete("read-your-writes-slot-1")
    settings.READ_YOUR_WRITES_WAIT_SECONDS = 0.4
    started = time.monotonic()
    staff_api.get(f"{LIST}{studio.pk}/", {"min_version": studio.version + 5})
    assert time.monotonic() - started >= 0.4
    assert cache.get("read-your-writes-slot-1") is None  # given back after the wait
    cache.delete("read-your-writes-slot-0")


@pytest.mark.parametrize("key", ["trail", "retired"])
def test_min_version_of_an_inactive_or_deleted_product_looks_like_a_missing_one(shop, api, key):
    # given an inactive and a deleted product, and an id that never existed
    missing = api.get(f"{LIST}999999/")
    assert missing.status_code == 404

    # when an anonymous reader asks for a version of either the index does not hold
    response = api.get(f"{LIST}{shop[key].pk}/", {"min_version": 99})

    # then the answer is the missing id's, word for word: no indexed_version betrays it
    assert response.status_code == 404
    assert response.content == missing.content
    assert api.get(f"{LIST}999999/", {"min_version": 99}).content == missing.content


def test_public_answers_may_be_cached_briefly_and_staff_answers_not_shared(shop, api, staff_api):
    urls = [
        (LIST, {}),
        (SEARCH, EVERYTHING),
        (SUGGEST, {"q": "acme"}),
        (f"{LIST}{shop['studio'].pk}/", {}),
    ]
    for url, params in urls:
        public = api.get(url, params)
        assert public.status_code == 200
        assert set(public["Cache-Control"].split(", ")) == {
            "public",
            "max-age=5",
            "stale-while-revalidate=10",
        }, url
        private = staff_api.get(url, params)
        assert private.status_code == 200
        assert {"private", "no-cache"} <= set(private["Cache-Control"].split(", ")), url


def test_query_endpoints_never_touch_the_database(shop, api, django_assert_num_queries):
    requests = [
        (LIST, {}),
        (LIST, {"brand": "acme", "ordering": "price", "page_size": 2}),
        (SEARCH, {"q": "keyboard", "category": "electronics", "in_stock": "true"}),
        (SUGGEST, {"q": "mech"}),
        (f"{LIST}{shop['studio'].pk}/", {}),
        (f"{LIST}{shop['studio'].pk}/", {"min_version": 1}),
        (f"{LIST}{shop['retired'].pk}/", {}),
    ]
    for url, params in requests:
        with django_assert_num_queries(0):
            response = api.get(url, params)
        assert response.status_code in (200, 404), (url, response.json())
    with django_assert_num_queries(0):
        next_page = api.get(api.get(LIST, {"page_size": 2}).json()["next"])
    assert next_page.status_code == 200


def test_anonymous_readers_are_throttled_with_retry_after(shop, monkeypatch):
    monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "100000/min"})
    # An address no other test uses (and throttle counters are per run), so only these count.
    reader = APIClient(REMOTE_ADDR="203.0.113.7")

    statuses = [reader.get(LIST).status_code for _ in range(3)]
    throttled = reader.get(SEARCH, EVERYTHING)

    assert statuses == [200, 200, 200]
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60


def test_signed_in_readers_are_counted_per_user_at_the_user_rate(shop, staff_api, monkeypatch):
    monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", {"anon": "1/min", "user": "3/min"})
    # The same address as the anonymous reader: a signed-in user is not counted by address.
    staff_api.defaults["REMOTE_ADDR"] = "203.0.113.8"
    anonymous = APIClient(REMOTE_ADDR="203.0.113.8")

    assert anonymous.get(LIST).status_code == 200
    assert anonymous.get(LIST).status_code == 429
    assert [staff_api.get(LIST).status_code for _ in range(4)] == [200, 200, 200, 429]
