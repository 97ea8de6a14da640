"""The product index: its settings and explicit mapping, and the alias every read and write uses.

Concrete indices are named `<alias>-v<MAPPING_VERSION>-<timestamp>`; the alias points at exactly
one of them, so a rebuild can fill a new index and swap the alias atomically.
The analysis filters named `catalog_*` come from the project's small Elasticsearch plugin
(scripts/es-analysis-plugin), because the official integ-test distribution ships without the
analysis-common module.
"""

from datetime import UTC, datetime

from django.conf import settings
from elasticsearch import Elasticsearch, NotFoundError

from . import document

# 2: products carry their variants (nested).
MAPPING_VERSION = 2

INDEX_SETTINGS = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "refresh_interval": "1s",
    "analysis": {
        "filter": {"catalog_english_stop": {"type": "stop", "stopwords": "_english_"}},
        "normalizer": {
            "catalog_keyword": {"type": "custom", "filter": ["lowercase", "catalog_ascii_folding"]}
        },
        "analyzer": {
            "catalog_text": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": [
                    "lowercase",
                    "catalog_english_possessive",
                    "catalog_english_stop",
                    "catalog_ascii_folding",
                    "catalog_porter_stem",
                ],
            },
            "catalog_exact": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "catalog_ascii_folding"],
            },
            "catalog_prefix": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "catalog_ascii_folding", "catalog_edge_ngram"],
            },
        },
    },
}

MAPPINGS = document.mappings()


def alias_name() -> str:
    return settings.ELASTICSEARCH_INDEX_ALIAS


def new_index_name() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    return f"{alias_name()}-v{MAPPING_VERSION}-{stamp}"


def mapping_version(name: str) -> int:
    """The mapping version a concrete index was created with (from its name)."""
    return int(name.removeprefix(f"{alias_name()}-v").split("-", 1)[0])


def create_index(client: Elasticsearch, name: str) -> None:
    client.indices.create(index=name, settings=INDEX_SETTINGS, mappings=MAPPINGS)


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
    client.indices.update_aliases(actions=[{"add": {"index": name, "alias": alias_name()}}])
    return name


def delete_all_indices(client: Elasticsearch) -> None:
    """Drop the alias and every index of this alias (tests use a per-run alias)."""
    client.indices.delete(index=f"{alias_name()}-v*", ignore_unavailable=True)
