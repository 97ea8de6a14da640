"""Search over variants against the real Elasticsearch: one hit per product, carrying the
variants that match; option filters that one variant must meet together; facets that count
products; price filters, price sort and in-stock filtering by the matching variants."""

from decimal import Decimal
from typing import Any

import pytest

from catalog import services
from tests import factories
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LIST = "/api/products/"
SEARCH = "/api/products/search/"


def _variant(sku: str, color: str, size: str, price: str, stock: int) -> dict[str, Any]:
    return {"sku": sku, "options": {"color": color, "size": size}, "price": Decimal(price), "stock": stock}


@pytest.fixture
def shirts(search_index: str) -> dict[str, int]:
    """Three shirts (and a mug without options). Only `b` has a blue XXL; `a` has blue and
    XXL, but on different variants."""
    category = factories.category("Shirts")

    def shirt(key: str, *variants: dict[str, Any]) -> int:
        product = services.product_create(
            sku=f"SHIRT-{key.upper()}",
            name=f"Linen Shirt {key.upper()}",
            category=category,
            variants=list(variants),
        )
        return product.pk

    ids = {
        "a": shirt(
            "a",
            _variant("A-BLUE-M", "blue", "M", "30.00", 4),
            _variant("A-RED-XXL", "red", "XXL", "34.00", 0),
        ),
        "b": shirt(
            "b",
            _variant("B-BLUE-XXL", "blue", "XXL", "48.00", 2),
            _variant("B-BLUE-M", "blue", "M", "45.00", 1),
            _variant("B-GREEN-M", "green", "M", "20.00", 5),
        ),
        "c": shirt("c", _variant("C-RED-M", "red", "M", "25.00", 3)),
        "mug": factories.product(name="Linen Mug", category=category, price=Decimal("10.00")).pk,
    }
    project()
    return ids


def _found(api, shirts: dict[str, int], url: str, params: dict[str, Any]) -> list[str]:
    response = api.get(url, {"q": "linen", **params} if url == SEARCH else params)
    assert response.status_code == 200, response.json()
    by_id = {product_id: key for key, product_id in shirts.items()}
    return [by_id[result["id"]] for result in response.json()["results"]]


@pytest.mark.parametrize("url", [LIST, SEARCH])
def test_options_must_all_hold_for_one_variant(api, shirts, url):
    # `a` has a blue variant and an XXL one, but no blue XXL: not a hit
    assert _found(api, shirts, url, {"option.color": "blue", "option.size": "XXL"}) == ["b"]
    assert set(_found(api, shirts, url, {"option.color": "blue"})) == {"a", "b"}
    assert set(_found(api, shirts, url, {"option.color": "red,green", "option.size": "M"})) == {"b", "c"}


@pytest.mark.parametrize("url", [LIST, SEARCH])
def test_each_hit_carries_the_variants_that_match(api, shirts, url):
    params = {"option.color": "blue", "option.size": "M"}
    response = api.get(url, {"q": "linen", **params} if url == SEARCH else params)
    results = {result["id"]: result for result in response.json()["results"]}

    assert [variant["sku"] for variant in results[shirts["b"]]["variants"]] == ["B-BLUE-M"]
    assert results[shirts["b"]]["variants"][0] == {
        "sku": "B-BLUE-M",
        "options": {"color": "blue", "size": "M"},
        "price": "45.00",
        "compare_at_price": None,
        "stock": 1,
        "in_stock": True,
    }
    # without variant filters, every active variant
    unfiltered = api.get(f"{LIST}{shirts['b']}/").json()
    assert [variant["sku"] for variant in unfiltered["variants"]] == ["B-BLUE-XXL", "B-BLUE-M", "B-GREEN-M"]


def test_facets_count_products_not_variants_and_stay_disjunctive(api, shirts):
    everything = api.get(SEARCH, {"q": "linen"}).json()["facets"]["options"]
    assert _counts(everything["color"]) == {"blue": 2, "red": 2, "green": 1}  # b has 2 blue variants
    assert _counts(everything["size"]) == {"M": 3, "XXL": 2}

    blue = api.get(SEARCH, {"q": "linen", "option.color": "blue"}).json()["facets"]
    # sizes among the products' blue variants; colours as if no colour were chosen
    assert _counts(blue["options"]["size"]) == {"M": 2, "XXL": 1}
    assert _counts(blue["options"]["color"]) == {"blue": 2, "red": 2, "green": 1}
    # price bands by the blue variants: a at 30.00, b at 45.00 and 48.00 (one product, once)
    bands = {band["from"]: band["count"] for band in blue["price"] if band["count"]}
    assert bands == {"25.00": 2}


def _counts(values: list[dict[str, Any]]) -> dict[str, int]:
    return {value["value"]: value["count"] for value in values}


@pytest.mark.parametrize("url", [LIST, SEARCH])
def test_price_sort_uses_the_matching_variants_price(api, shirts, url):
    shirts_only = {"option.size": "M,XXL"}
    # cheapest variant overall: b 20.00 (green), c 25.00, a 30.00
    assert _found(api, shirts, url, {**shirts_only, "ordering": "price"}) == ["b", "c", "a"]
    # among blue variants: a 30.00, b 45.00
    assert _found(api, shirts, url, {"option.color": "blue", "ordering": "price"}) == ["a", "b"]
    assert _found(api, shirts, url, {"option.color": "blue", "ordering": "-price"}) == ["b", "a"]


@pytest.mark.parametrize("url", [LIST, SEARCH])
def test_price_and_stock_filters_hold_for_the_same_variant_as_the_options(api, shirts, url):
    # a's red variant costs 34.00; c's costs 25.00
    assert _found(api, shirts, url, {"option.color": "red", "max_price": "30"}) == ["c"]
    # a's XXL is sold out, b's is not
    assert _found(api, shirts, url, {"option.size": "XXL", "in_stock": "true"}) == ["b"]
    # a product without options is found by price as before
    assert _found(api, shirts, url, {"max_price": "15"}) == ["mug"]


def test_a_bad_option_filter_is_a_400_naming_it(api, shirts):
    response = api.get(LIST, {"option.Size!": "M"})
    assert response.status_code == 400 and "option.Size!" in response.json()

    response = api.get(LIST, {"option.size": ","})
    assert response.status_code == 400 and "option.size" in response.json()


def test_a_variant_sku_finds_its_product(api, shirts):
    response = api.get(SEARCH, {"q": "b-blue-xxl"})

    assert [result["id"] for result in response.json()["results"]] == [shirts["b"]]
