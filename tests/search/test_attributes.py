"""Typed attributes on the read side, against the real Elasticsearch: range filters on number
attributes, value filters, and facets for the filterable attributes of the results."""

from decimal import Decimal

import pytest

from catalog import services
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

    narrowed = api.get(SEARCH, {"q": "slim", "attr.screen__gte": "14"}).json()["facets"]["attributes"]
    assert (narrowed["screen"]["min"], narrowed["screen"]["max"]) == (15.6, 17.3)


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
