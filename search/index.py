"""The product index: its settings and explicit mapping, and the alias every read and write uses.

Concrete indices are named `<alias>-v<MAPPING_VERSION>-<timestamp>`; the alias points at exactly
one of them, so a rebuild can fill a new index and swap the alias atomically.

Analysis names only stock Elasticsearch components (types and built-in names; and
tests/search/test_index_analysis.py keeps it so), so the index builds unchanged on the official
image, a managed cluster and the local distribution (which gets the analysis-common filters it
lacks from scripts/es-analysis-plugin, under the same names).
"""

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from elasticsearch import Elasticsearch, NotFoundError

from . import document, languages

# 2: products carry their variants (nested). 3: analysis by stock component names only.
# 4: compound words (name.parts, name.joined). 5: translations, analysed per language.
# 6: German compounds split when indexing; queries analysed by each language's search analyzer.
# 7: the values of searchable attributes (attribute_text), matched by the search text.
# 8: how the names' words sound (name_sounds), for did-you-mean; the name's neighbouring words
# joined (name.shingles), for "powerbank" to find "Power Bank".
# 9: skus split at dashes and digits, and whole again (sku.text), for "rel0033" to find REL-0033.
# 10: English irregular plurals as their singular (languages.ENGLISH_IRREGULAR).
MAPPING_VERSION = 10


def analysis() -> dict[str, Any]:
    """The analysis of a new index: the text of each configured language with its own analyzer
    (search.languages), and the language-neutral analyzers of names, skus and keywords."""
    default, translated = languages.default(), languages.translated()
    language_filters = {
        name: dict(spec)
        for language in (default, *translated)
        for name, spec in languages.ANALYSIS[language][0].items()
    }
    language_analyzers = {
        analyzer: {"type": "custom", "tokenizer": "standard", "filter": chain}
        for language in (default, *translated)
        for analyzer, chain in (
            (languages.text_analyzer(language), list(languages.ANALYSIS[language][1])),
            (languages.text_search_analyzer(language), languages.search_chain(language)),
        )
    }
    return {
        "filter": {
            **language_filters,
            "catalog_prefixes": {"type": "edge_ngram", "min_gram": 1, "max_gram": 20},
            # "WhisperKeys" -> whisperkeys, whisper, keys; "USB-C" -> usb-c, usb, c, usbc.
            "catalog_word_parts": {
                "type": "word_delimiter_graph",
                "preserve_original": True,
                "catenate_all": True,
            },
            # Neighbouring words joined, a query's ("wi fi" -> wifi, "trail runner" -> trailrunner)
            # and a name's ("Power Bank" -> powerbank).
            "catalog_joined_words": {
                "type": "shingle",
                "min_shingle_size": 2,
                "max_shingle_size": 3,
                "output_unigrams": False,
                "token_separator": "",
            },
        },
        "normalizer": {"catalog_keyword": {"type": "custom", "filter": ["lowercase", "asciifolding"]}},
        "analyzer": {
            **language_analyzers,
            "catalog_exact": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding"],
            },
            "catalog_prefix": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding", "catalog_prefixes"],
            },
            "catalog_parts": {
                "type": "custom",
                "tokenizer": "whitespace",
                "filter": ["catalog_word_parts", "flatten_graph", "lowercase", "asciifolding"],
            },
            # Neighbouring words joined: a query's, to meet a name's word (name.joined), and a
            # name's, to meet a query's word (name.shingles).
            "catalog_joined": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding", "catalog_joined_words"],
            },
        },
    }


# How often a written document becomes searchable (search.freshness waits this long).
REFRESH_SECONDS = 1


def index_settings() -> dict[str, Any]:
    """Settings of a new index: shards and replicas come from the deployment's settings."""
    return {
        "number_of_shards": settings.ELASTICSEARCH_SHARDS,
        "number_of_replicas": settings.ELASTICSEARCH_REPLICAS,
        "refresh_interval": f"{REFRESH_SECONDS}s",
        "analysis": analysis(),
    }


def _managing(client: Elasticsearch) -> Elasticsearch:
    """The client with the bulk timeout: creating, deleting and aliasing indices waits on the
    cluster's master and shard allocation, which takes longer than a query may."""
    return client.options(request_timeout=settings.ELASTICSEARCH_BULK_TIMEOUT)


def alias_name() -> str:
    return settings.ELASTICSEARCH_INDEX_ALIAS


def new_index_name() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    return f"{alias_name()}-v{MAPPING_VERSION}-{stamp}"


def mapping_version(name: str) -> int:
    """The mapping version a concrete index was created with (from its name)."""
    return int(name.removeprefix(f"{alias_name()}-v").split("-", 1)[0])


def create_index(client: Elasticsearch, name: str) -> None:
    _managing(client).indices.create(index=name, settings=index_settings(), mappings=document.mappings())


def index_languages(client: Elasticsearch, name: str) -> list[str]:
    """The languages a concrete index was created for (its mapping's `_meta`), default first."""
    mapping = client.indices.get_mapping(index=name)[name]["mappings"]
    return mapping.get("_meta", {}).get("languages", [])


def indices_behind_alias(client: Elasticsearch) -> list[str]:
    try:
        return sorted(client.indices.get_alias(name=alias_name()).body)
    except NotFoundError:
        return []


def ensure_index(client: Elasticsearch) -> str:
    """Create the first index and point the alias at it, unless the alias already exists."""
    existing = indices_behind_alias(client)
    if existing:
        return existing[0]
    name = new_index_name()
    create_index(client, name)
    _managing(client).indices.update_aliases(actions=[{"add": {"index": name, "alias": alias_name()}}])
    return name


def delete_all_indices(client: Elasticsearch) -> None:
    """Drop the alias, every index of this alias and its search configuration (tests use a per-run alias)."""
    _managing(client).indices.delete(
        index=f"{alias_name()}-v*,{alias_name()}-configuration", ignore_unavailable=True
    )
