"""What shoppers expect of search beyond typo tolerance, against a real Elasticsearch: words
written together or apart, staff-managed synonyms that apply within seconds without a
reindex, and "did you mean" built from the catalog's own words."""

from typing import Any

import pytest

from projection import synonyms as projection_synonyms
from search import index, synonyms
from search.client import get_client
from tests import factories
from tests.conftest import wait_until
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SEARCH = "/api/products/search/"


def _names(api, text: str, **params: Any) -> list[str]:
    response = api.get(SEARCH, {"q": text, **params})
    assert response.status_code == 200, response.json()
    return [result["name"] for result in response.json()["results"]]


@pytest.fixture
def gadgets(search_index) -> None:
    category = factories.category("Gadgets")
    for name in [
        "WhisperKeys Mechanical Keyboard",
        "TrailRunner Hiking Shoe",
        "Wifi Range Extender",
        "Wi-Fi Mesh Router",
        "USB-C Docking Hub",
        "Studio Television 55",
        "Ultralight Notebook 14",
        "Santoku Knife",
        "Garden Hose",
    ]:
        factories.product(name=name, category=category)
    project()


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("whisper keys", "WhisperKeys Mechanical Keyboard"),
        ("whisperkeys", "WhisperKeys Mechanical Keyboard"),
        ("trail runner", "TrailRunner Hiking Shoe"),
        ("usbc hub", "USB-C Docking Hub"),
        ("usb-c", "USB-C Docking Hub"),
        ("usb c", "USB-C Docking Hub"),
    ],
)
def test_words_written_together_or_apart_find_the_product(api, gadgets, query, first):
    assert _names(api, query)[:1] == [first]


@pytest.mark.parametrize("query", ["wifi", "wi-fi", "wi fi", "WiFi"])
def test_wifi_is_found_however_it_is_written(api, gadgets, query):
    assert set(_names(api, query)[:2]) == {"Wifi Range Extender", "Wi-Fi Mesh Router"}


def test_a_synonym_rule_applies_within_seconds_without_a_reindex(
    celery_worker, gadgets, staff_api, api, settings
):
    # given searches that know no synonyms
    settings.SYNONYMS_CACHE_SECONDS = 0
    assert _names(api, "tv") == []
    assert _names(api, "laptop") == []
    indices_before = search_index_names()

    # when staff add an equivalence and a one-way rule
    for rule in ["tv, television", "laptop => notebook"]:
        assert staff_api.post("/api/synonyms/", {"rule": rule}, format="json").status_code == 201

    # then the worker publishes them and searches use them, with no new index
    assert wait_until(lambda: _names(api, "tv") == ["Studio Television 55"], timeout=10)
    assert _names(api, "laptop") == ["Ultralight Notebook 14"]
    # one way: "notebook" is not rewritten to "laptop"
    assert synonyms.alternatives(text="notebook", rules=synonyms.current_rules()) == []
    assert search_index_names() == indices_before

    # when the rule is removed, searches stop using it
    assert staff_api.delete("/api/synonyms/tv/").status_code == 204
    assert wait_until(lambda: _names(api, "tv") == [], timeout=10)


def search_index_names() -> list[str]:
    return index.indices_behind_alias(get_client())


def test_rules_whose_publication_was_lost_are_found_stale_and_published(gadgets, staff_api, api, settings):
    # given a rule committed while no worker ran (its publish request went nowhere)
    settings.SYNONYMS_CACHE_SECONDS = 0
    assert staff_api.post("/api/synonyms/", {"rule": "tv, television"}, format="json").status_code == 201
    assert projection_synonyms.is_stale()
    assert _names(api, "tv") == []
    # when the relay's check finds the published set stale and publishes (beat's relay_synonyms)
    projection_synonyms.publish()
    # then searches use the rule, and the set is current
    assert not projection_synonyms.is_stale()
    assert _names(api, "tv") == ["Studio Television 55"]


@pytest.mark.parametrize(
    ("text", "rules", "expected"),
    [
        ("tv stand", [{"terms": ["tv", "television"], "replacements": []}], ["television stand"]),
        ("Cheap TVs", [{"terms": ["tv", "television"], "replacements": []}], []),
        ("laptop bag", [{"terms": ["laptop"], "replacements": ["notebook"]}], ["notebook bag"]),
        ("notebook", [{"terms": ["laptop"], "replacements": ["notebook"]}], []),
        (
            "wireless lan card",
            [{"terms": ["wifi", "wireless lan"], "replacements": []}],
            ["wifi card"],
        ),
    ],
)
def test_a_query_is_rewritten_by_whole_terms_only(text, rules, expected):
    assert synonyms.alternatives(text=text, rules=rules) == expected


def test_a_search_that_finds_little_suggests_a_correction_that_finds_more(api, gadgets):
    response = api.get(SEARCH, {"q": "santoku nife"}).json()
    assert response["results"] == []
    assert response["suggestion"] == {"text": "santoku knife", "count": 1}
    # and the suggestion, searched, finds the product
    assert _names(api, response["suggestion"]["text"]) == ["Santoku Knife"]


def test_a_search_that_finds_enough_suggests_nothing(api, gadgets):
    assert api.get(SEARCH, {"q": "garden hose"}).json()["suggestion"] is None
