"""Synonym rules on the read side: the whole set as one document that the projection publishes,
read by every query process through a short cache, and the expansion of a query by them.

Synonyms apply at query time, by searching the query's alternatives too: a change reaches
searches within SYNONYMS_CACHE_SECONDS, with no reindex, on any cluster. (Elasticsearch's
search-time `synonym_graph` with a synonyms set would need its synonyms API, which the local
distribution cannot serve: it lacks the reindex module that API's delete-by-query needs.)
"""

import logging
import re
import time
from typing import Any

from django.conf import settings
from elasticsearch import ApiError, BadRequestError, NotFoundError, TransportError

from . import index
from .client import get_client

DOCUMENT_ID = "rules"
# Searches for the original query plus at most this many rewritten ones.
MAX_ALTERNATIVES = 8

logger = logging.getLogger(__name__)

_cache: dict[str, tuple[float, list[dict[str, Any]]]] = {}


def index_name() -> str:
    return f"{index.alias_name()}-synonyms"


def _ensure_index() -> None:
    """The set's own small index, on every node (it is read by every search), created before
    the first publish, so no search meets it half-created."""
    try:
        get_client().indices.create(
            index=index_name(),
            settings={"number_of_shards": 1, "auto_expand_replicas": "0-all"},
            mappings={"dynamic": False, "properties": {"fingerprint": {"type": "keyword"}}},
            wait_for_active_shards="1",
        )
    except BadRequestError as error:
        if error.error != "resource_already_exists_exception":
            raise


def publish(*, rules: list[dict[str, Any]], fingerprint: str) -> None:
    """Replace the published set: `rules` as {"terms": [...], "replacements": [...]}."""
    _ensure_index()
    get_client().index(
        index=index_name(),
        id=DOCUMENT_ID,
        document={"rules": rules, "fingerprint": fingerprint},
        refresh=True,
    )


def published_fingerprint() -> str | None:
    try:
        source = get_client().get(index=index_name(), id=DOCUMENT_ID, source_includes=["fingerprint"])
    except NotFoundError:
        return None
    return source["_source"]["fingerprint"]


def current_rules() -> list[dict[str, Any]]:
    """The published rules, read at most once per SYNONYMS_CACHE_SECONDS per process; when
    they cannot be read, the last ones read (none at first)."""
    key = index_name()
    now = time.monotonic()
    cached = _cache.get(key)
    if cached is not None and now - cached[0] < settings.SYNONYMS_CACHE_SECONDS:
        return cached[1]
    try:
        rules = get_client().get(index=index_name(), id=DOCUMENT_ID)["_source"]["rules"]
    except NotFoundError:
        rules = []
    except (ApiError, TransportError) as error:
        # Searching without synonyms beats not searching: keep the last rules read, if any.
        logger.warning("synonym rules unavailable (%s); searching with the last ones read", error)
        return cached[1] if cached is not None else []
    _cache[key] = (now, rules)
    return rules


def _contains(text: str, term: str) -> re.Match[str] | None:
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text)


def alternatives(*, text: str, rules: list[dict[str, Any]]) -> list[str]:
    """The query `text` rewritten by each rule that applies to it: an equivalence's term
    replaced by each other term, a one-way rule's term by each replacement."""
    lowered = " ".join(text.lower().split())
    found: list[str] = []
    for rule in rules:
        for term in rule["terms"]:
            match = _contains(lowered, term)
            if match is None:
                continue
            others = rule["replacements"] or [other for other in rule["terms"] if other != term]
            for other in others:
                rewritten = f"{lowered[: match.start()]}{other}{lowered[match.end() :]}"
                if rewritten != lowered and rewritten not in found:
                    found.append(rewritten)
    return found[:MAX_ALTERNATIVES]
