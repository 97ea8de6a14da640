"""Facet names and value labels in the search's language, against the real Elasticsearch
(CATALOG_LANGUAGES is en, de, fr in the tests): attribute facets and the option axes named like
an attribute's code take the definition's name and choice labels, translated, falling back to
the default language's and then to the code or value; filters keep taking the stored values;
a changed label is published with the search configuration."""

from decimal import Decimal
from typing import Any

import pytest

from catalog import search_configuration as configuration_commands
from catalog import services
from projection import search_configuration
from tests import factories
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SEARCH = "/api/products/search/"


@pytest.fixture
def jackets(search_index: str, settings) -> dict[str, int]:
    """Jackets of wool and cotton (an attribute) in colours (an option axis with a definition
    of its own code) and sizes (an axis without one); labels published."""
    settings.SEARCH_CONFIGURATION_CACHE_SECONDS = 0
    services.attribute_create(
        code="material",
        name="Material",
        type="enum",
        choices=["wool", "cotton"],
        choice_labels={"wool": "Wool", "cotton": "Cotton"},
        translations={"de": {"name": "Stoff", "choice_labels": {"wool": "Wolle"}}},
    )
    services.attribute_create(code="weight", name="Weight", type="number", unit="kg")
    # Labels the variants' colour axis; no product carries a colour attribute.
    services.attribute_create(
        code="color",
        name="Colour",
        type="enum",
        choices=["blue", "red", "green"],
        choice_labels={"blue": "Blue", "red": "Red"},
        translations={"de": {"name": "Farbe", "choice_labels": {"blue": "Blau"}}},
    )
    category = factories.category("Jackets")

    def jacket(key: str, material: str, *options: tuple[str, str]) -> int:
        variants = [
            {
                "sku": f"J-{key}-{color}-{size}",
                "options": {"color": color, "size": size},
                "price": Decimal(90),
            }
            for color, size in options
        ]
        return services.product_create(
            sku=f"J-{key}",
            name=f"Trail Jacket {key}",
            category=category,
            variants=variants,
            attributes={"material": material, "weight": 1.2},
        ).pk

    ids = {
        "a": jacket("a", "wool", ("blue", "M"), ("red", "L")),
        "b": jacket("b", "cotton", ("green", "M")),
    }
    project()
    search_configuration.publish()
    return ids


def _facets(api, params: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
    response = api.get(SEARCH, {"q": "trail jacket", **(params or {})}, **headers)
    assert response.status_code == 200, response.json()
    return response.json()["facets"]


def _labels(values: list[dict[str, Any]]) -> dict[str, str]:
    return {value["value"]: value["label"] for value in values}


def test_a_german_search_names_facets_in_german_falling_back_to_the_default(api, jackets):
    facets = _facets(api, {"lang": "de"})

    material = facets["attributes"]["material"]
    assert material["name"] == "Stoff"
    assert _labels(material["values"]) == {"wool": "Wolle", "cotton": "Cotton"}  # cotton: untranslated
    assert (facets["attributes"]["weight"]["name"], facets["attributes"]["weight"]["unit"]) == (
        "Weight",
        "kg",
    )
    # an option axis takes the definition of its name's code; one without stays as it is
    assert facets["option_names"] == {"color": "Farbe", "size": "size"}
    assert _labels(facets["options"]["color"]) == {"blue": "Blau", "red": "Red", "green": "green"}
    assert _labels(facets["options"]["size"]) == {"M": "M", "L": "L"}
    # Accept-Language picks German just as well
    assert _facets(api, HTTP_ACCEPT_LANGUAGE="de-CH, en;q=0.5") == facets


def test_english_and_untranslated_languages_show_the_default_labels(api, jackets):
    english = _facets(api)

    assert english["attributes"]["material"]["name"] == "Material"
    assert _labels(english["attributes"]["material"]["values"]) == {"wool": "Wool", "cotton": "Cotton"}
    assert english["option_names"] == {"color": "Colour", "size": "size"}
    assert _labels(english["options"]["color"]) == {"blue": "Blue", "red": "Red", "green": "green"}
    # French has no translation of either: the default language's labels
    french = _facets(api, {"lang": "fr"})
    assert (french["attributes"], french["option_names"]) == (english["attributes"], english["option_names"])


def test_filters_take_the_stored_values_whatever_the_labels(api, jackets):
    def found(params: dict[str, str]) -> set[int]:
        response = api.get(SEARCH, {"q": "trail jacket", "lang": "de", **params})
        assert response.status_code == 200, response.json()
        return {hit["id"] for hit in response.json()["results"]}

    assert found({"option.color": "blue", "attr.material": "wool"}) == {jackets["a"]}
    assert found({"option.color": "Blau"}) == set()
    assert found({"attr.material": "Wolle"}) == set()


def test_a_renamed_translation_is_announced_and_shown_once_republished(api, jackets):
    announced = []

    def announce(**kwargs) -> None:
        announced.append(True)

    configuration_commands.changed.connect(announce)
    try:
        services.attribute_update(
            code="color",
            changes={"translations": {"de": {"name": "Farbton", "choice_labels": {"blue": "Hellblau"}}}},
        )
    finally:
        configuration_commands.changed.disconnect(announce)

    assert announced == [True]
    # the relay's staleness check sees the change until it is published
    assert search_configuration.is_stale()
    assert _facets(api, {"lang": "de"})["option_names"]["color"] == "Farbe"
    search_configuration.publish()
    assert not search_configuration.is_stale()
    german = _facets(api, {"lang": "de"})
    assert german["option_names"]["color"] == "Farbton"
    assert _labels(german["options"]["color"])["blue"] == "Hellblau"
    assert _facets(api)["option_names"]["color"] == "Colour"
