"""Typed attributes on the read side, against the real Elasticsearch: range filters on number
attributes, value filters, and facets for the filterable attributes of the results: value
counts, and min/max and range buckets for numbers, each counted without the attribute's own
filter but under every other (disjunctive), in products, not variants."""

from decimal import Decimal
from typing import Any

import pytest

from catalog import search_configuration as configuration_commands
from catalog import services
from projection import search_configuration
from tests import factories
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LIST = "/api/products/"
SEARCH = "/api/products/search/"


@pytest.fixture
def laptops(search_index: str) -> dict[str, int]:
    services.attribute_create(code="screen", name="Screen size", type="number", unit="in")
    services.attribute_create(code="panel", name="Panel", type="enum", choices=["ips", "oled"])
    services.attribute_create(code="internal-note", name="Note", filterable=False)
    category = factories.category("Laptops")

    def laptop(key: str, **attributes) -> int:
        product = factories.product(name=f"Slim Laptop {key}", category=category, attributes=attributes)
        return product.pk

    ids = {
        "small": laptop("small", screen=13.3, panel="ips", **{"internal-note": "x"}),
        "mid": laptop("mid", screen=15.6, panel="oled"),
        "large": laptop("large", screen=17.3, panel="ips"),
        "lamp": factories.product(
            name="Slim Lamp", category=category, price=Decimal("30"), attributes={"color": "red"}
        ).pk,
    }
    project()
    return ids


def _found(api, ids, params) -> set[str]:
    response = api.get(LIST, params)
    assert response.status_code == 200, response.json()
    by_id = {product_id: key for key, product_id in ids.items()}
    return {by_id[result["id"]] for result in response.json()["results"]}


def test_number_attributes_filter_by_range(api, laptops):
    assert _found(api, laptops, {"attr.screen__gte": "14"}) == {"mid", "large"}
    assert _found(api, laptops, {"attr.screen__gte": "14", "attr.screen__lte": "16"}) == {"mid"}
    assert _found(api, laptops, {"attr.screen__lte": "13.3"}) == {"small"}


def test_value_filters_accept_any_of_several_values(api, laptops):
    assert _found(api, laptops, {"attr.panel": "ips"}) == {"small", "large"}
    assert _found(api, laptops, {"attr.panel": "ips,oled"}) == {"small", "mid", "large"}
    assert _found(api, laptops, {"attr.color": "red"}) == {"lamp"}  # no definition: as before


def test_facets_show_the_filterable_attributes_of_the_results(api, laptops):
    facets = api.get(SEARCH, {"q": "slim"}).json()["facets"]["attributes"]

    assert set(facets) == {"screen", "panel"}  # not the undefined color, not the unfilterable note
    assert (facets["screen"]["min"], facets["screen"]["max"]) == (13.3, 17.3)
    assert {value["value"]: value["count"] for value in facets["panel"]["values"]} == {"ips": 2, "oled": 1}

    assert facets["screen"]["values"] == [] and facets["panel"]["ranges"] == []
    assert [(bucket["from"], bucket["to"], bucket["count"]) for bucket in facets["screen"]["ranges"]] == [
        (13, 14, 1),
        (14, 15, 0),
        (15, 16, 1),
        (16, 17, 0),
        (17, 18, 1),
    ]


def test_facets_name_attributes_and_their_units_as_staff_defined_them(api, laptops, settings):
    settings.SEARCH_CONFIGURATION_CACHE_SECONDS = 0

    def names() -> dict[str, tuple[str, str]]:
        facets = api.get(SEARCH, {"q": "slim"}).json()["facets"]["attributes"]
        return {code: (facet["name"], facet["unit"]) for code, facet in facets.items()}

    # given the definitions published (the worker's job, done here)
    search_configuration.publish()
    assert names() == {"screen": ("Screen size", "in"), "panel": ("Panel", "")}

    # when staff rename one, the change is announced for publishing, and once published, shown
    announced = []

    def announce(**kwargs) -> None:
        announced.append(True)

    configuration_commands.changed.connect(announce)
    try:
        services.attribute_update(code="screen", changes={"name": "Display", "unit": "inch"})
    finally:
        configuration_commands.changed.disconnect(announce)
    assert announced == [True]
    assert search_configuration.is_stale()
    search_configuration.publish()
    assert names()["screen"] == ("Display", "inch")


def test_an_attribute_facet_ignores_its_own_filter_and_honours_the_others(api, laptops):
    search = api.get(SEARCH, {"q": "slim", "attr.screen__gte": "14", "attr.panel": "ips"}).json()

    assert [hit["id"] for hit in search["results"]] == [laptops["large"]]
    facets = search["facets"]["attributes"]
    # screen without its range, among the ips panels; panel without its choice, among screens >= 14
    assert (facets["screen"]["min"], facets["screen"]["max"]) == (13.3, 17.3)
    assert {value["value"]: value["count"] for value in facets["panel"]["values"]} == {"ips": 1, "oled": 1}


def test_defining_a_number_attribute_types_values_written_before_without_a_reindex(api, search_index):
    # given products whose weight was written as text, before any definition
    heavy = factories.product(name="Heavy Tent", attributes={"weight": "4.5"})
    light = factories.product(name="Light Tent", attributes={"weight": "1.2"})
    project()
    assert api.get(LIST, {"attr.weight__lte": "2"}).json()["results"] == []

    # when staff define weight as a number (which re-projects just the products carrying it)
    services.attribute_create(code="weight", name="Weight", type="number", unit="kg")
    project()

    # then the range filter finds the light one
    ids = {"heavy": heavy.pk, "light": light.pk}
    assert _found(api, ids, {"attr.weight__lte": "2"}) == {"light"}


def test_a_range_that_is_not_a_number_is_a_400_naming_it(api, laptops):
    response = api.get(LIST, {"attr.screen__gte": "big"})

    assert response.status_code == 400
    assert "attr.screen__gte" in response.json()


@pytest.fixture
def jackets(search_index: str) -> dict[str, int]:
    """Jackets with a material (enum), a weight and a length (numbers), in colours and sizes.
    `e` has three blue variants: one product for the facets."""
    services.attribute_create(
        code="material", name="Material", type="enum", choices=["wool", "cotton", "linen"]
    )
    services.attribute_create(code="weight", name="Weight", type="number", unit="kg")
    services.attribute_create(code="length", name="Length", type="number", unit="cm")
    category = factories.category("Jackets")

    def jacket(key: str, material: str, weight: float, length: int, *options: tuple[str, str]) -> int:
        variants = [
            {
                "sku": f"J-{key}-{color}-{size}",
                "options": {"color": color, "size": size},
                "price": Decimal("90"),
            }
            for color, size in options
        ]
        return services.product_create(
            sku=f"J-{key}",
            name=f"Trail Jacket {key}",
            category=category,
            variants=variants,
            attributes={"material": material, "weight": weight, "length": length},
        ).pk

    ids = {
        "a": jacket("a", "wool", 0.8, 70, ("blue", "M"), ("red", "L")),
        "b": jacket("b", "wool", 1.4, 75, ("blue", "L")),
        "c": jacket("c", "cotton", 1.1, 65, ("red", "M")),
        "d": jacket("d", "linen", 2.6, 80, ("green", "M"), ("blue", "M")),
        "e": jacket("e", "cotton", 0.5, 72, ("blue", "S"), ("blue", "M"), ("blue", "L")),
    }
    project()
    return ids


def _search(api, params: dict[str, Any]) -> dict[str, Any]:
    response = api.get(SEARCH, {"q": "trail jacket", **params})
    assert response.status_code == 200, response.json()
    return response.json()


def _counts(values: list[dict[str, Any]]) -> dict[str, int]:
    return {value["value"]: value["count"] for value in values}


def test_enum_and_option_facets_ignore_their_own_filter_and_count_products(api, jackets):
    search = _search(api, {"attr.material": "wool", "option.color": "blue"})

    assert {hit["id"] for hit in search["results"]} == {jackets["a"], jackets["b"]}
    facets = search["facets"]
    # material among the jackets with a blue variant (not c, red only), e's blues counted once
    assert _counts(facets["attributes"]["material"]["values"]) == {"wool": 2, "linen": 1, "cotton": 1}
    # colour among the wool jackets (not d's green, d is linen)
    assert _counts(facets["options"]["color"]) == {"blue": 2, "red": 1}
    # an axis without a choice of its own: the blue variants of the wool jackets
    assert _counts(facets["options"]["size"]) == {"M": 1, "L": 1}

    cotton = _search(api, {"attr.material": "cotton"})["facets"]
    assert _counts(cotton["options"]["color"]) == {"blue": 1, "red": 1}


def _ranges(facet: dict[str, Any]) -> list[tuple[float, float | None, int]]:
    return [(bucket["from"], bucket["to"], bucket["count"]) for bucket in facet["ranges"]]


def test_number_facets_give_range_buckets_without_their_own_filter(api, jackets):
    search = _search(api, {"attr.length__gte": "70", "attr.weight__gte": "1"})

    assert {hit["id"] for hit in search["results"]} == {jackets["b"], jackets["d"]}
    weight = search["facets"]["attributes"]["weight"]
    # weight among the jackets of length >= 70 (a, b, d, e), whatever their weight
    assert (weight["min"], weight["max"]) == (0.5, 2.6)
    assert _ranges(weight) == [(0.5, 1, 2), (1, 1.5, 1), (1.5, 2, 0), (2, 2.5, 0), (2.5, 3, 1)]
    # length among the jackets of weight >= 1 (b, c, d), whatever their length
    length = search["facets"]["attributes"]["length"]
    assert _ranges(length) == [(65, 70, 1), (70, 75, 0), (75, 80, 1), (80, 85, 1)]


def test_a_range_bucket_selects_as_many_products_as_it_counts(api, jackets):
    buckets = _search(api, {"attr.length__gte": "70"})["facets"]["attributes"]["weight"]["ranges"]
    light = buckets[0]

    chosen = _search(
        api, {"attr.length__gte": "70", "attr.weight__gte": light["from"], "attr.weight__lt": light["to"]}
    )

    assert (light["from"], light["to"], light["count"]) == (0.5, 1, 2)
    assert {hit["id"] for hit in chosen["results"]} == {jackets["a"], jackets["e"]}
    assert chosen["facets"]["attributes"]["weight"]["ranges"] == buckets


def test_a_number_facet_of_equal_numbers_is_one_open_bucket(api, jackets):
    search = _search(api, {"attr.material": "linen"})

    assert search["facets"]["attributes"]["length"]["ranges"] == [{"from": 80, "to": None, "count": 1}]


def test_the_search_text_matches_the_values_of_searchable_attributes_only(api, search_index):
    # given two lamps of oak, the first carrying it under a searchable attribute, the second under
    # one that is not
    services.attribute_create(code="material", name="Material", searchable=True)
    services.attribute_create(code="supplier-wood", name="Supplier's wood")
    category = factories.category("Lamps")
    searchable = factories.product(name="Desk Lamp", category=category, attributes={"material": "oak"})
    factories.product(name="Floor Lamp", category=category, attributes={"supplier-wood": "oak"})
    project()

    # when a shopper searches for the material
    found = api.get(SEARCH, {"q": "oak"}).json()["results"]

    # then only the lamp whose attribute is searchable matches
    assert [result["id"] for result in found] == [searchable.pk]

    # and when staff make the other attribute searchable, that lamp is re-indexed and found too
    services.attribute_update(code="supplier-wood", changes={"searchable": True})
    project()
    assert len(api.get(SEARCH, {"q": "oak lamp"}).json()["results"]) == 2
