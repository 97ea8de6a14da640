"""The index's analysis names only stock Elasticsearch components, and the local distribution's
copies of them (scripts/es-analysis-plugin) behave as the stock ones are documented to."""

import re
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import BadRequestError

from search import index
from search.client import get_client

ROOT = Path(__file__).resolve().parents[2]

# What every official distribution provides: the server's own components plus those of its
# analysis-common module (Elasticsearch reference, "Text analysis" > tokenizer, token filter
# and normalizer references). A managed cluster has the same set.
STOCK_TOKENIZERS = {
    "standard", "classic", "keyword", "letter", "lowercase", "whitespace", "uax_url_email",
    "ngram", "edge_ngram", "pattern", "simple_pattern", "simple_pattern_split", "char_group",
    "path_hierarchy", "thai",
}  # fmt: skip
STOCK_TOKEN_FILTERS = {
    "apostrophe", "arabic_normalization", "asciifolding", "cjk_bigram", "cjk_width", "classic",
    "common_grams", "condition", "decimal_digit", "delimited_payload", "dictionary_decompounder",
    "edge_ngram", "elision", "fingerprint", "flatten_graph", "german_normalization", "hunspell",
    "hyphenation_decompounder", "keep", "keep_types", "keyword_marker", "keyword_repeat", "kstem",
    "length", "limit", "lowercase", "min_hash", "multiplexer", "ngram", "pattern_capture",
    "pattern_replace", "porter_stem", "predicate_token_filter", "remove_duplicates", "reverse",
    "shingle", "snowball", "stemmer", "stemmer_override", "stop", "synonym", "synonym_graph",
    "trim", "truncate", "unique", "uppercase", "word_delimiter", "word_delimiter_graph",
}  # fmt: skip


def non_stock_components(analysis: dict[str, Any]) -> list[str]:
    """Every tokenizer, filter type or built-in filter name the analysis settings use that no
    official distribution provides, as "<where>: <name>"."""
    defined_filters = analysis.get("filter", {})
    found = [
        f"filter {name}: type {spec['type']}"
        for name, spec in defined_filters.items()
        if spec["type"] not in STOCK_TOKEN_FILTERS
    ]
    chains = {**analysis.get("analyzer", {}), **analysis.get("normalizer", {})}
    for name, spec in chains.items():
        if "tokenizer" in spec and spec["tokenizer"] not in STOCK_TOKENIZERS:
            found.append(f"{name}: tokenizer {spec['tokenizer']}")
        found += [
            f"{name}: filter {used}"
            for used in spec.get("filter", [])
            if used not in defined_filters and used not in STOCK_TOKEN_FILTERS
        ]
    return found


def test_the_index_names_only_stock_analysis_components():
    assert non_stock_components(index.analysis()) == []


def test_a_project_only_filter_would_be_named():
    # given the analysis with a filter that exists only in a project plugin
    doctored = index.analysis()
    doctored["analyzer"]["catalog_text"]["filter"].append("catalog_porter_stem")
    doctored["filter"]["catalog_folding"] = {"type": "catalog_ascii_folding"}
    # then the check names both
    assert non_stock_components(doctored) == [
        "filter catalog_folding: type catalog_ascii_folding",
        "catalog_text: filter catalog_porter_stem",
    ]


def test_the_local_plugin_registers_only_stock_names():
    source = "\n".join(path.read_text() for path in (ROOT / "scripts/es-analysis-plugin/src").rglob("*.java"))
    filters = set(re.findall(r'filters\.put\("([a-z_]+)"', source))
    tokenizers = set(re.findall(r'Map\.of\("([a-z_]+)"', source))
    assert filters and tokenizers, "no registration found in the plugin source"
    assert filters <= STOCK_TOKEN_FILTERS
    assert tokenizers <= STOCK_TOKENIZERS


def analyze(analyzer_or_normalizer: str, text: str, search_index: str) -> list[str]:
    key = "normalizer" if analyzer_or_normalizer in index.analysis()["normalizer"] else "analyzer"
    response = get_client().indices.analyze(index=search_index, text=text, **{key: analyzer_or_normalizer})
    return [token["token"] for token in response["tokens"]]


@pytest.mark.parametrize(
    ("analyzer", "text", "tokens"),
    [
        # possessive stripped, stop word dropped, accents folded, an irregular plural as its
        # singular, Porter stems
        ("catalog_text", "The Men's Café running shoes", ["man", "cafe", "run", "shoe"]),
        ("catalog_exact", "Crème BRÛLÉE", ["creme", "brulee"]),
        ("catalog_prefix", "Shoe", ["s", "sh", "sho", "shoe"]),
        ("catalog_keyword", "Crème Brûlée", ["creme brulee"]),
    ],
)
def test_the_analysis_behaves_as_the_stock_components_do(search_index, analyzer, text, tokens):
    assert analyze(analyzer, text, search_index) == tokens


def test_the_stock_filters_not_yet_in_the_mapping_answer_with_their_stock_behaviour(search_index):
    # word_delimiter_graph splits on case changes and catenates; stemmer takes a language
    client = get_client()
    words = client.indices.analyze(
        tokenizer="whitespace",
        filter=[{"type": "word_delimiter_graph", "catenate_words": True}, "lowercase"],
        text="WhisperKeys wi-fi",
    )
    assert sorted(token["token"] for token in words["tokens"]) == sorted(
        ["whisperkeys", "whisper", "keys", "wifi", "wi", "fi"]
    )
    german = client.indices.analyze(
        tokenizer="standard",
        filter=["lowercase", "german_normalization", {"type": "stemmer", "language": "light_german"}],
        text="Häuser Straße",
    )
    assert [token["token"] for token in german["tokens"]] == ["haus", "strass"]


def test_the_stemmer_override_replaces_a_listed_word_and_keeps_the_stemmer_off_it(search_index):
    # stock rules: "token1[, ..., tokenN] => override"; the override is marked as a keyword
    def stemmed(text: str, rules: list[str]) -> list[str]:
        override = {"type": "stemmer_override", "rules": rules}
        filters = ["lowercase", override, {"type": "stemmer", "language": "english"}]
        response = get_client().indices.analyze(tokenizer="standard", filter=filters, text=text)
        return [token["token"] for token in response["tokens"]]

    assert stemmed("Mice mouse houses", ["mouse, mice => mouse"]) == ["mouse", "mouse", "hous"]
    assert stemmed("Mice mouse", ["goose, geese => goose"]) == ["mice", "mous"]
    with pytest.raises(BadRequestError, match="Invalid Keyword override Rule:mouse mice"):
        stemmed("mice", ["mouse mice"])


def test_the_dictionary_decompounder_adds_the_listed_parts_after_the_whole_word(search_index):
    # stock defaults: words of 5+ letters, parts of 2 to 15, every part found (not only the longest)
    client = get_client()

    def decompounded(text: str, **settings: Any) -> list[str]:
        parts = ["regen", "jacke", "jack"]
        decompounder = {"type": "dictionary_decompounder", "word_list": parts, **settings}
        response = client.indices.analyze(tokenizer="standard", filter=["lowercase", decompounder], text=text)
        return [token["token"] for token in response["tokens"]]

    assert decompounded("Regenjacke Fernglas") == ["regenjacke", "regen", "jack", "jacke", "fernglas"]
    assert decompounded("Regenjacke", only_longest_match=True) == ["regenjacke", "regen", "jacke"]
    assert decompounded("Regenjacke", min_subword_size=5) == ["regenjacke", "regen", "jacke"]
    # a word shorter than min_word_size stays whole
    assert decompounded("Jacke", min_word_size=6) == ["jacke"]


def test_the_local_dictionary_decompounder_refuses_a_word_list_file(search_index):
    refusal = r"word_list_path is not provided locally.*supported: \[word_list,"
    with pytest.raises(BadRequestError, match=refusal):
        get_client().indices.analyze(
            tokenizer="standard",
            filter=[{"type": "dictionary_decompounder", "word_list_path": "analysis/parts.txt"}],
            text="Regenjacke",
        )


def test_remove_duplicates_drops_a_token_repeated_at_its_position(search_index):
    # "schuhe" and its listed part "schuh" stem alike
    chain: list[Any] = [
        "lowercase",
        {"type": "dictionary_decompounder", "word_list": ["schuh"]},
        {"type": "stemmer", "language": "light_german"},
    ]

    def tokens(filters: list[Any]) -> list[str]:
        response = get_client().indices.analyze(tokenizer="standard", filter=filters, text="Schuhe Schuhe")
        return [token["token"] for token in response["tokens"]]

    assert tokens(chain) == ["schuh", "schuh", "schuh", "schuh"]
    # the next position's equal token stays
    assert tokens([*chain, "remove_duplicates"]) == ["schuh", "schuh"]
