"""What shoppers expect of search beyond typo tolerance, against a real Elasticsearch: words
written together or apart, staff-managed synonyms and merchandising rules that apply within
seconds without a reindex, and "did you mean" built from the catalog's own words."""

from typing import Any

import pytest

from projection import search_configuration
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
        # and the other way round: the query writes as one what the name has apart
        ("gardenhose", "Garden Hose"),
        ("santokuknife", "Santoku Knife"),
        # ... in the plural, or with a typo, as any word may be
        ("gardenhoses", "Garden Hose"),
        ("gardnhose", "Garden Hose"),
        ("ultralight notebook14", "Ultralight Notebook 14"),
    ],
)
def test_words_written_together_or_apart_find_the_product(api, gadgets, query, first):
    assert _names(api, query)[:1] == [first]


@pytest.mark.parametrize("query", ["wifi", "wi-fi", "wi fi", "WiFi"])
def test_wifi_is_found_however_it_is_written(api, gadgets, query):
    assert set(_names(api, query)[:2]) == {"Wifi Range Extender", "Wi-Fi Mesh Router"}


def test_a_word_written_apart_matches_as_one_and_the_other_words_still_count(api, search_index):
    # given headphones for kids among other headphones, and keycaps named in a description only
    category = factories.category("Audio")
    for name in ["Studio Headphones", "Wireless Headphones", "Headphones for Kids"]:
        factories.product(name=name, category=category)
    factories.product(name="Keycap Set", description="PBT keycaps for any keyboard.", category=category)
    project()

    # when a shopper writes apart what the product writes as one, among other words
    # then the product that has the other words too comes first
    assert _names(api, "head phones for kids")[0] == "Headphones for Kids"
    assert _names(api, "pbt key caps") == ["Keycap Set"]


def test_the_last_word_however_short_matches_as_the_start_of_a_word(api, gadgets):
    # when a shopper searches before finishing the last word
    # then it is taken as the start of a word of the name
    assert _names(api, "ultralight n") == ["Ultralight Notebook 14"]
    assert _names(api, "wifi range ex") == ["Wifi Range Extender"]


def test_a_synonym_rule_applies_within_seconds_without_a_reindex(
    celery_worker, gadgets, staff_api, api, settings
):
    # given searches that know no synonyms
    settings.SEARCH_CONFIGURATION_CACHE_SECONDS = 0
    assert _names(api, "tv") == []
    assert _names(api, "laptop") == []
    indices_before = search_index_names()

    # when staff add an equivalence and a one-way rule
    for rule in ["tv, television", "laptop => notebook"]:
        assert staff_api.post("/api/synonyms/", {"rule": rule}, format="json").status_code == 201

    # then the worker publishes them (each commit its own publish, so the second rule may
    # arrive a publish later than the first) and searches use them, with no new index
    assert wait_until(lambda: _names(api, "tv") == ["Studio Television 55"], timeout=10)
    assert wait_until(lambda: _names(api, "laptop") == ["Ultralight Notebook 14"], timeout=10)
    # a plural of a term is rewritten too
    assert _names(api, "tvs") == ["Studio Television 55"]
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
    settings.SEARCH_CONFIGURATION_CACHE_SECONDS = 0
    assert staff_api.post("/api/synonyms/", {"rule": "tv, television"}, format="json").status_code == 201
    assert search_configuration.is_stale()
    assert _names(api, "tv") == []
    # when the relay's check finds the published set stale and publishes (beat's relay_search_configuration)
    search_configuration.publish()
    # then searches use the rule, and the set is current
    assert not search_configuration.is_stale()
    assert _names(api, "tv") == ["Studio Television 55"]


@pytest.mark.parametrize(
    ("text", "rules", "expected"),
    [
        ("tv stand", [{"terms": ["tv", "television"], "replacements": []}], ["television stand"]),
        ("Cheap TVs", [{"terms": ["tv", "television"], "replacements": []}], ["cheap television"]),
        # a term written in the plural rewrites its singular too
        ("earphone", [{"terms": ["earphones", "earbuds"], "replacements": []}], ["earbuds"]),
        ("shoe rack", [{"terms": ["shoes"], "replacements": ["footwear"]}], ["footwear rack"]),
        ("reading glass", [{"terms": ["glasses"], "replacements": ["spectacles"]}], ["reading spectacles"]),
        ("gas stove", [{"terms": ["gas"], "replacements": ["propane"]}], ["propane stove"]),
        ("ga stove", [{"terms": ["gas"], "replacements": ["propane"]}], []),
        ("tvstand", [{"terms": ["tv", "television"], "replacements": []}], []),
        ("flat screens", [{"terms": ["flat screen"], "replacements": ["monitor"]}], ["monitor"]),
        ("laptop bag", [{"terms": ["laptop"], "replacements": ["notebook"]}], ["notebook bag"]),
        ("notebook", [{"terms": ["laptop"], "replacements": ["notebook"]}], []),
        (
            "wireless lan card",
            [{"terms": ["wifi", "wireless lan"], "replacements": []}],
            ["wifi card"],
        ),
    ],
)
def test_a_query_is_rewritten_by_whole_terms_and_their_plurals_only(text, rules, expected):
    assert synonyms.alternatives(text=text, rules=rules) == expected


def test_a_search_whose_every_word_finds_nothing_answers_the_products_matching_most_of_them(api, gadgets):
    # when a shopper types more words than any product has, in a sentence
    response = api.get(SEARCH, {"q": "sharp santoku knife for the kitchen"}).json()

    # then the answer is the products matching most of the words, and says so
    assert [result["name"] for result in response["results"]] == ["Santoku Knife"]
    assert response["matched_most_words"] is True and response["showing_results_for"] is None

    # when the shopper asks for exactly the words typed, nothing matches them all
    exact = api.get(SEARCH, {"q": "sharp santoku knife for the kitchen", "autocorrect": "false"}).json()
    assert exact["count"] == 0 and exact["matched_most_words"] is False
    # and a query of two words, one of which no product has, answers those with the other
    two = api.get(SEARCH, {"q": "santoku kitchen"}).json()
    assert [result["name"] for result in two["results"]] == ["Santoku Knife"]
    assert two["matched_most_words"] is True
    # while a query of one such word stays unanswered
    one = api.get(SEARCH, {"q": "kitchen"}).json()
    assert one["count"] == 0 and one["matched_most_words"] is False


def test_the_words_a_product_must_have_most_of_leave_out_stop_words(api, gadgets):
    # when a sentence is mostly words every product matches ("a", "for", "the", "and")
    response = api.get(SEARCH, {"q": "a hose for the garden and the car"}).json()

    # then only the product with most of its other words answers
    assert [result["name"] for result in response["results"]] == ["Garden Hose"]
    assert response["matched_most_words"] is True


def test_a_search_no_product_matches_most_of_answers_those_with_any_of_its_words(api, gadgets):
    # when a shopper names the product in one word of a sentence no product has more of
    response = api.get(SEARCH, {"q": "gift for my dad who loves his garden"}).json()

    # then the answer is the product with that word, and says it matches only some of them
    assert [result["name"] for result in response["results"]] == ["Garden Hose"]
    assert response["matched_most_words"] is True and response["showing_results_for"] is None
    # and exactly the words typed still find nothing
    exact = api.get(SEARCH, {"q": "gift for my dad who loves his garden", "autocorrect": "false"}).json()
    assert exact["count"] == 0


def test_the_one_word_of_many_must_name_the_product_as_typed(api, search_index):
    # given products whose names and descriptions share no word with each other
    category = factories.category("Home")
    factories.product(
        name="Noise Cancelling Headphones", description="Quiet on every flight.", category=category
    )
    factories.product(name="Garden Hose", description="Coils up after watering the roses.", category=category)
    project()

    # when a question's one product word is the product's name, it finds that product
    assert _names(api, "how can i water my garden") == ["Garden Hose"]
    # but a word of a description ("roses") or a word's start ("can", of "Cancelling") finds nothing
    response = api.get(SEARCH, {"q": "how can i make my roses bloom"}).json()
    assert response["count"] == 0 and response["matched_most_words"] is False


def test_the_product_named_before_for_comes_before_the_one_named_after_it(api, search_index):
    # given a kettle for coffee and a coffee dripper, each with two of the shopper's words
    category = factories.category("Coffee")
    factories.product(
        name="Electric Gooseneck Kettle",
        description="Precise pouring for pour-over coffee.",
        category=category,
    )
    factories.product(
        name="Pour-Over Coffee Dripper", description="A ceramic cone with a filter.", category=category
    )
    factories.product(name="Yoga Mat", description="A non-slip mat.", category=category)
    factories.product(
        name="Wireless Presenter Remote", description="Click through slides.", category=category
    )
    project()

    # when a shopper asks for a kettle for their dripper, the kettle comes first
    assert _names(api, "kettle for a coffee dripper")[:1] == ["Electric Gooseneck Kettle"]
    # and the dripper first when asked the other way round
    assert _names(api, "dripper for a kettle of coffee")[:1] == ["Pour-Over Coffee Dripper"]
    # but a gift named before "for" is not the product
    assert _names(api, "present for a yoga beginner")[:1] == ["Yoga Mat"]


def test_two_words_a_name_writes_as_one_do_not_let_it_match_without_the_other_words(api, gadgets):
    # when a sentence has "trail runner" (the TrailRunner Hiking Shoe's word) and "garden"
    response = api.get(SEARCH, {"q": "trail runner garden hose"}).json()

    # then neither product has every word: both come, as products with most of the words
    assert set(result["name"] for result in response["results"]) == {
        "TrailRunner Hiking Shoe",
        "Garden Hose",
    }
    assert response["matched_most_words"] is True


def test_a_search_that_finds_nothing_answers_its_correction(api, gadgets):
    # when a shopper misspells a word no typo tolerance forgives (its first letter)
    response = api.get(SEARCH, {"q": "santoku nife"}).json()

    # then the answer is the correction's products, and says so
    assert [result["name"] for result in response["results"]] == ["Santoku Knife"]
    assert response["showing_results_for"] == "santoku knife"
    assert response["count"] == 1 and response["suggestion"] is None


def test_a_search_not_to_be_corrected_finds_nothing_and_suggests_the_correction(api, gadgets):
    response = api.get(SEARCH, {"q": "santoku nife", "autocorrect": "false"}).json()

    assert response["results"] == [] and response["showing_results_for"] is None
    assert response["suggestion"] == {"text": "santoku knife", "count": 1}
    # and the suggestion, searched, finds the product
    assert _names(api, response["suggestion"]["text"]) == ["Santoku Knife"]


def test_a_word_longer_than_any_products_matches_exactly_and_gets_no_correction(api, search_index):
    # given a product whose name holds a word of 30 letters, and one of 24
    category = factories.category("Hats")
    factories.product(name="Donaudampfschifffahrtskapitän Hat", category=category)
    factories.product(name="Schifffahrtsgesellschaft Cap", category=category)
    project()
    assert len("donaudampfschifffahrtskapitän") == 29 and len("schifffahrtsgesellschaft") == 24

    # then the long word finds its product typed exactly, not with a typo (a typo automaton for
    # such a word cost Elasticsearch half a second at 256 letters), and gets no correction;
    # a word of 24 letters still forgives a typo
    assert _names(api, "donaudampfschifffahrtskapitän") == ["Donaudampfschifffahrtskapitän Hat"]
    misspelled = api.get(SEARCH, {"q": "donaudampfschiffahrtskapitän"}).json()
    assert misspelled["results"] == [] and misspelled["suggestion"] is None
    assert _names(api, "schiffahrtsgesellschaft") == ["Schifffahrtsgesellschaft Cap"]


def test_the_next_pages_of_a_corrected_search_are_the_corrections(api, search_index):
    # given three knives, and a misspelling of them that finds nothing itself
    for name in ["Santoku Knife", "Bread Knife", "Paring Knife"]:
        factories.product(name=name)
    project()
    first = api.get(SEARCH, {"q": "nife", "page_size": 2}).json()
    assert first["showing_results_for"] == "knife" and first["count"] == 3

    # when the shopper follows `next`
    second = api.get(first["next"]).json()

    # then it holds the third knife, and no page repeats one
    names = [result["name"] for result in first["results"] + second["results"]]
    assert sorted(names) == ["Bread Knife", "Paring Knife", "Santoku Knife"]
    assert second["next"] is None


@pytest.mark.parametrize(
    ("query", "correction", "found"),
    [
        # three edits each: beyond the spell checker's two, but they sound like the catalog's words
        ("hedfones", "headphones", "Studio Headphones"),
        ("santoku nives", "santoku knife", "Santoku Knife"),
    ],
)
def test_a_misspelling_written_as_it_sounds_is_corrected_by_the_sound(api, gadgets, query, correction, found):
    # given headphones next to the gadgets
    factories.product(name="Studio Headphones")
    project()

    # when a shopper types a word as it sounds
    response = api.get(SEARCH, {"q": query}).json()

    # then the search answers for the catalog's word that sounds like it
    assert response["showing_results_for"] == correction
    assert [result["name"] for result in response["results"]] == [found]


def test_a_translated_name_corrects_by_its_own_sound(api, search_index):
    # given a product whose German name only is spelt "ph"
    factories.product(name="Coffee Table Book", translations={"de": {"name": "Philosophie Bildband"}})
    project()

    # when a German shopper writes it with "f"s (four edits)
    response = api.get(SEARCH, {"q": "filosofie", "lang": "de"}).json()

    # then the German name's word answers
    assert response["showing_results_for"] == "philosophie"
    assert [result["name"] for result in response["results"]] == ["Philosophie Bildband"]


def test_a_search_that_finds_enough_suggests_nothing(api, gadgets):
    assert api.get(SEARCH, {"q": "garden hose"}).json()["suggestion"] is None


# --- merchandising ----------------------------------------------------------------------------


@pytest.fixture
def keyboards(search_index) -> dict[str, Any]:
    category = factories.category("Keyboards")
    other = factories.category("Cables")
    made = {
        "loud": factories.product(name="Loud Mechanical Keyboard", category=category),
        "quiet": factories.product(name="Quiet Mechanical Keyboard", category=category),
        "travel": factories.product(name="Travel Keyboard", category=category),
        "cable": factories.product(name="Coiled Keyboard Cable", category=other),
        "retired": factories.product(name="Retired Keyboard", category=category, is_active=False),
    }
    project()
    return made


def _merchandise(staff_api, **rule: Any) -> None:
    response = staff_api.post("/api/merchandising/", rule, format="json")
    assert response.status_code == 201, response.json()
    assert search_configuration.publish()


def test_pinned_products_come_first_in_order_and_hidden_ones_never(keyboards, staff_api, api, settings):
    # given organic results for "keyboard"
    settings.SEARCH_CONFIGURATION_CACHE_SECONDS = 0
    organic = _names(api, "keyboard")
    assert "Coiled Keyboard Cable" in organic
    # when staff pin the travel keyboard then the cable (which does not even say "mechanical")
    # and hide the loud one, for the query "mechanical keyboard"
    _merchandise(
        staff_api,
        query="Mechanical  Keyboard",
        pinned=[keyboards["travel"].pk, keyboards["cable"].pk],
        hidden=[keyboards["loud"].pk],
    )
    # then that query shows the pins first, in order, and never the hidden one
    names = _names(api, "mechanical keyboard")
    assert names[:2] == ["Travel Keyboard", "Coiled Keyboard Cable"]
    assert "Loud Mechanical Keyboard" not in names
    assert "Quiet Mechanical Keyboard" in names
    # and an exact rule leaves other queries alone
    assert _names(api, "keyboard") == organic


def test_pins_respect_filters_and_never_show_inactive_products(keyboards, staff_api, api, settings):
    settings.SEARCH_CONFIGURATION_CACHE_SECONDS = 0
    category = keyboards["travel"].category.slug
    _merchandise(
        staff_api,
        query="keyboard",
        match="contains",
        pinned=[keyboards["retired"].pk, keyboards["cable"].pk, keyboards["quiet"].pk],
    )
    # a contains rule applies to longer queries; the inactive pin never shows
    assert _names(api, "quiet keyboard")[:2] == ["Coiled Keyboard Cable", "Quiet Mechanical Keyboard"]
    assert "Retired Keyboard" not in _names(api, "keyboard")
    # a filter the cable does not meet keeps it out, pinned or not
    assert _names(api, "keyboard", category=category)[0] == "Quiet Mechanical Keyboard"
    assert "Coiled Keyboard Cable" not in _names(api, "keyboard", category=category)


def test_a_rule_outside_its_window_does_not_apply(keyboards, staff_api, api, settings):
    settings.SEARCH_CONFIGURATION_CACHE_SECONDS = 0
    organic = _names(api, "keyboard")
    _merchandise(
        staff_api,
        query="keyboard",
        pinned=[keyboards["cable"].pk],
        starts_at="2099-01-01T00:00:00Z",
    )
    assert _names(api, "keyboard") == organic
    _merchandise(
        staff_api,
        code="past",
        query="keyboard",
        hidden=[keyboards["quiet"].pk],
        ends_at="2020-01-01T00:00:00Z",
    )
    assert _names(api, "keyboard") == organic
