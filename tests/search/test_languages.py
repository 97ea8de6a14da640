"""Content in several languages against a real Elasticsearch (CATALOG_LANGUAGES is en, de, fr
in the tests): each language's text is found through its own stock analysis, an untranslated
product through the default language's with less weight, reads answer in the language asked
for with fallback, and English searches behave as without translations."""

from typing import Any

import pytest
from django.core.management import call_command

from search import index, languages, query_building
from search.checks import check_catalog_languages
from search.client import get_client
from search.german_compound_parts import GERMAN_COMPOUND_PARTS
from tests import factories
from tests.search.conftest import project
from tests.search.test_index_analysis import analyze

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SEARCH = "/api/products/search/"
LIST = "/api/products/"
SUGGEST = "/api/products/suggest/"


@pytest.fixture
def shop(search_index: str) -> dict[str, Any]:
    shoes = factories.category("Shoes")
    bags = factories.category("Bags")
    lamps = factories.category("Lamps")
    products = {
        "hiking": factories.product(
            name="Women's Hiking Shoes",
            description="Light shoes for long trails.",
            category=shoes,
            translations={
                "de": {"name": "Wanderschuhe für Damen", "description": "Leichte Schuhe für lange Wege."},
                "fr": {"name": "Chaussures de randonnée pour femmes"},
            },
        ),
        "sleeve": factories.product(
            name="Laptop Sleeve 14",
            description="A padded sleeve.",
            category=bags,
            translations={"fr": {"name": "Housse pour l'ordinateur portable 14"}},
        ),
        "jacket": factories.product(
            name="Trail Running Jacket", description="Keeps the rain out.", category=shoes
        ),
        "desk": factories.product(
            name="Desk Light",
            description="A light for the desk.",
            category=lamps,
            translations={"de": {"name": "Schreibtisch Lampe"}},
        ),
        "floor": factories.product(name="Lampe Floor Stand", description="Stands tall.", category=lamps),
    }
    project()
    return products


def _found(api, shop, params: dict[str, Any], **headers: str) -> list[str]:
    response = api.get(SEARCH, params, **headers)
    assert response.status_code == 200, response.json()
    by_id = {product.pk: key for key, product in shop.items()}
    return [by_id[result["id"]] for result in response.json()["results"]]


def _result(api, url: str, params: dict[str, Any], **headers: str) -> dict[str, Any]:
    response = api.get(url, params, **headers)
    assert response.status_code == 200, response.json()
    return response.json()


# --- analysis ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("analyzer", "text", "tokens"),
    [
        # stop word dropped, umlaut normalised, light German stemmer; when indexing, a compound
        # is followed by its listed parts, each normalised and stemmed as a word of its own
        ("catalog_text_de", "Wanderschuhe für Damen", ["wanderschuh", "wand", "schuh", "dam"]),
        ("catalog_text_de", "Wintermäntel", ["wintermantel", "wint", "mantel"]),
        ("catalog_text_de_search", "Wanderschuhe für Damen", ["wanderschuh", "dam"]),
        ("catalog_text_de", "Häuser", ["haus"]),
        # elided article stripped (either apostrophe), stop word dropped, light French stemmer
        ("catalog_text_fr", "L'ordinateur de l\u2019écran", ["ordin", "ecran"]),
        ("catalog_text_fr", "chaussures", ["chausur"]),
        # English, the default language: possessive and stop word dropped, accents folded, an
        # irregular plural as its singular, then the Porter stemmer
        ("catalog_text", "The Men's Café running shoes", ["man", "cafe", "run", "shoe"]),
        ("catalog_text_search", "The Men's Café running shoes", ["man", "cafe", "run", "shoe"]),
        ("catalog_text", "Knives and mice for children", ["knife", "mouse", "child"]),
    ],
)
def test_each_language_is_analysed_with_its_stock_analysis(search_index, analyzer, text, tokens):
    assert analyze(analyzer, text, search_index) == tokens


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        # words with no listed part stay whole, including those a listed word hides in
        ("Fernrohr", ["fernrohr"]),
        ("praktische Hersteller Durchmesser", ["praktisch", "herstell", "durchmess"]),
        ("wasserdicht verarbeitet", ["wasserdicht", "verarbeitet"]),
        # a part inside a longer listed part is not split out: no "schuh" of gloves, no "sport"
        ("Handschuhe", ["handschuh"]),
        ("Transporttasche", ["transporttasch", "transport", "tasch"]),
    ],
)
def test_german_compounds_split_into_listed_parts_only(search_index, text, tokens):
    assert analyze("catalog_text_de", text, search_index) == tokens


def test_the_german_compound_parts_are_distinct_lowercase_and_long_enough_to_be_found():
    decompounder = languages.ANALYSIS["de"][0]["catalog_german_compounds"]

    assert len(set(GERMAN_COMPOUND_PARTS)) == len(GERMAN_COMPOUND_PARTS)
    assert [part for part in GERMAN_COMPOUND_PARTS if part != part.lower()] == []
    assert [part for part in GERMAN_COMPOUND_PARTS if len(part) < decompounder["min_subword_size"]] == []


def test_every_supported_language_builds_from_stock_components(settings, search_index):
    settings.CATALOG_LANGUAGES = list(languages.SUPPORTED)
    name = f"{index.alias_name()}-v{index.MAPPING_VERSION}-all-languages"

    index.create_index(get_client(), name)

    analyzers = get_client().indices.get_settings(index=name)[name]["settings"]["index"]["analysis"][
        "analyzer"
    ]
    assert {f"catalog_text_{code}" for code in languages.SUPPORTED[1:]} <= set(analyzers)


# --- search -----------------------------------------------------------------------------------


def test_a_german_query_finds_the_german_stemmed_form_of_a_translated_name(api, shop):
    response = _result(api, SEARCH, {"q": "wanderschuh", "lang": "de"})

    assert [result["id"] for result in response["results"]] == [shop["hiking"].pk]
    hit = response["results"][0]
    assert hit["name"] == "Wanderschuhe für Damen"
    assert hit["description"] == "Leichte Schuhe für lange Wege."
    assert hit["highlight"]["name"] == ["<em>Wanderschuhe</em> für Damen"]


def test_a_french_query_finds_a_word_behind_an_elided_article(api, shop):
    assert _found(api, shop, {"q": "ordinateur", "lang": "fr"}) == ["sleeve"]
    assert _found(api, shop, {"q": "l'ordinateur portable", "lang": "fr"}) == ["sleeve"]


def test_an_untranslated_product_is_found_through_the_default_language(api, shop):
    response = _result(api, SEARCH, {"q": "jacket", "lang": "de"})

    assert [result["id"] for result in response["results"]] == [shop["jacket"].pk]
    assert response["results"][0]["name"] == "Trail Running Jacket"
    assert response["results"][0]["highlight"]["name"] == ["Trail Running <em>Jacket</em>"]


def test_the_chosen_language_outweighs_the_default_language_fallback(api, shop):
    # "Lampe" is the German name of one lamp and a word of the other's English name
    assert _found(api, shop, {"q": "lampe", "lang": "de"}) == ["desk", "floor"]


def test_accept_language_picks_the_language_when_lang_is_absent(api, shop):
    assert _found(api, shop, {"q": "wanderschuh"}, HTTP_ACCEPT_LANGUAGE="de-CH, de;q=0.9") == ["hiking"]
    # ?lang= wins over the header
    assert _found(api, shop, {"q": "wanderschuh", "lang": "en"}, HTTP_ACCEPT_LANGUAGE="de") == []


def test_english_results_are_unchanged_by_translations(api, shop):
    default = _result(api, SEARCH, {"q": "hiking shoes"})
    english = _result(api, SEARCH, {"q": "hiking shoes", "lang": "en"})

    assert [result["id"] for result in default["results"]] == [shop["hiking"].pk]
    assert default["results"] == english["results"]
    assert default["results"][0]["name"] == "Women's Hiking Shoes"
    # the English search does not look into other languages' text
    assert _found(api, shop, {"q": "wanderschuh"}) == []


def test_corrections_come_from_the_names_in_the_chosen_language():
    german = query_building.did_you_mean_query("wandrschuhe", language="de")["suggest"]
    english = query_building.did_you_mean_query("hikng", language="en")["suggest"]

    assert german[query_building.CORRECTIONS]["phrase"]["field"] == "translations.de.name.exact"
    assert english[query_building.CORRECTIONS]["phrase"]["field"] == "name.exact"


@pytest.fixture
def german_shop(search_index: str) -> dict[str, Any]:
    clothes = factories.category("Clothes")
    products = {
        "boots": factories.product(
            name="Hiking Boots",
            description="For long trails.",
            category=clothes,
            translations={"de": {"name": "Wanderschuhe", "description": "Für lange Wege."}},
        ),
        "rain": factories.product(
            name="Rain Jacket",
            description="Keeps you dry.",
            category=clothes,
            translations={"de": {"name": "Regenjacke", "description": "Hält trocken."}},
        ),
        "gloves": factories.product(
            name="Winter Gloves",
            description="Warm hands.",
            category=clothes,
            translations={"de": {"name": "Handschuhe für den Winter", "description": "Vom Hersteller."}},
        ),
    }
    project()
    return products


def test_a_german_query_finds_a_compound_by_its_parts(api, german_shop):
    assert _found(api, german_shop, {"q": "schuhe", "lang": "de"}) == ["boots"]
    assert _found(api, german_shop, {"q": "wander", "lang": "de"}) == ["boots"]
    assert _found(api, german_shop, {"q": "jacke", "lang": "de"}) == ["rain"]
    assert _found(api, german_shop, {"q": "regen jacke", "lang": "de"}) == ["rain"]
    assert _found(api, german_shop, {"q": "regenjacke", "lang": "de"}) == ["rain"]
    # the whole word is highlighted
    hit = _result(api, SEARCH, {"q": "schuhe", "lang": "de"})["results"][0]
    assert hit["highlight"]["name"] == ["<em>Wanderschuhe</em>"]


def test_a_german_query_is_not_split_nor_are_the_words_parts_hide_in(api, german_shop):
    # a compound query matches compounds as typed: not every jacket nor every product of winter
    assert _found(api, german_shop, {"q": "winterjacke", "lang": "de"}) == []
    # "teller" is not a listed part: "Hersteller" keeps it
    assert _found(api, german_shop, {"q": "teller", "lang": "de"}) == []


def test_english_searches_are_unchanged_by_german_compounds(api, german_shop):
    assert _found(api, german_shop, {"q": "jacket"}) == ["rain"]
    assert _found(api, german_shop, {"q": "boots"}) == ["boots"]
    assert _found(api, german_shop, {"q": "schuhe"}) == []


# --- reads ------------------------------------------------------------------------------------


def test_get_answers_in_the_chosen_language_with_fallback(api, shop):
    url = f"/api/products/{shop['hiking'].pk}/"

    german = api.get(url, {"lang": "de"})
    french = api.get(url, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.8,en;q=0.5")
    default = api.get(url, HTTP_ACCEPT_LANGUAGE="ja, *;q=0.1")

    assert (german.json()["name"], german.json()["description"]) == (
        "Wanderschuhe für Damen",
        "Leichte Schuhe für lange Wege.",
    )
    assert german["Content-Language"] == "de"
    assert "Accept-Language" in german["Vary"]
    # French has a name only: the description falls back to the default language's
    assert (french.json()["name"], french.json()["description"]) == (
        "Chaussures de randonnée pour femmes",
        "Light shoes for long trails.",
    )
    assert french["Content-Language"] == "fr"
    assert default.json()["name"] == "Women's Hiking Shoes" and default["Content-Language"] == "en"
    assert "translations" not in german.json()


def test_list_answers_in_the_chosen_language_and_sorts_by_the_names_shown(api, shop):
    response = _result(api, LIST, {"lang": "de", "ordering": "name"})

    assert [result["name"] for result in response["results"]] == [
        "Lampe Floor Stand",
        "Laptop Sleeve 14",
        "Schreibtisch Lampe",
        "Trail Running Jacket",
        "Wanderschuhe für Damen",
    ]


def test_suggestions_answer_in_the_chosen_language(api, shop):
    german = _result(api, SUGGEST, {"q": "wander", "lang": "de"})["suggestions"]
    untranslated = _result(api, SUGGEST, {"q": "trail", "lang": "de"})["suggestions"]
    english = _result(api, SUGGEST, {"q": "wander"})["suggestions"]

    assert [(item["id"], item["name"]) for item in german] == [(shop["hiking"].pk, "Wanderschuhe für Damen")]
    assert [item["name"] for item in untranslated] == ["Trail Running Jacket"]
    assert english == []


@pytest.mark.parametrize("url", [SEARCH, LIST, SUGGEST, "/api/products/1/"])
def test_an_unknown_language_is_a_400_naming_the_parameter(api, search_index, url):
    response = api.get(url, {"q": "shoe", "lang": "es"} if url in (SEARCH, SUGGEST) else {"lang": "es"})

    assert response.status_code == 400
    assert response.json() == {"lang": ["Unknown language 'es': this catalog has en, de, fr."]}


def test_a_changed_translation_reaches_the_read_side(api, shop, staff_api):
    product = shop["jacket"]
    response = staff_api.patch(
        f"/api/products/{product.pk}/", {"translations": {"de": {"name": "Laufjacke"}}}, format="json"
    )
    assert response.status_code == 200, response.json()
    project()

    assert _result(api, f"/api/products/{product.pk}/", {"lang": "de"})["name"] == "Laufjacke"
    assert _found(api, shop, {"q": "laufjacke", "lang": "de"}) == ["jacket"]


# --- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("de", "de"),
        ("de-AT", "de"),
        ("fr;q=0.5, de;q=0.8", "de"),
        ("ja, fr", "fr"),
        ("de;q=0, fr;q=0.1", "fr"),
        ("*", "en"),
        ("de;q=bad, fr", "fr"),
    ],
)
def test_accept_language_is_read_by_weight_then_order(header, language):
    assert languages.preferred(header) == language


def test_a_language_without_stock_analysis_is_a_configuration_error(settings):
    settings.CATALOG_LANGUAGES = ["en", "xx", "de", "de"]

    assert {error.id for error in check_catalog_languages(None)} == {"search.E002", "search.E003"}


def test_search_index_create_rebuilds_an_index_made_for_other_languages(settings, search_index):
    settings.CATALOG_LANGUAGES = ["en", "de", "fr", "es"]

    call_command("search_index", "create")

    (rebuilt,) = index.indices_behind_alias(get_client())
    assert rebuilt != search_index
    assert index.index_languages(get_client(), rebuilt) == ["en", "de", "fr", "es"]
