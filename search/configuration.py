"""The search configuration staff manage (synonym rules, merchandising rules) on the read side:
one document that the projection publishes into a small index of its own, read by every query
process through a short cache (SEARCH_CONFIGURATION_CACHE_SECONDS).

Applied at query time, so a change reaches searches within seconds, with no reindex, on any
cluster. (Elasticsearch's search-time `synonym_graph` with a synonyms set would need its
synonyms API, which the local distribution cannot serve: it lacks the reindex module that API's
delete-by-query needs; and its `pinned` query lives in a module the local distribution lacks.)
"""

import logging
import time
from typing import Any

from django.conf import settings
from elasticsearch import ApiError, BadRequestError, NotFoundError, TransportError

from . import freshness, index
from .client import get_client

DOCUMENT_ID = "configuration"

logger = logging.getLogger(__name__)

_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def index_name() -> str:
    return f"{index.alias_name()}-configuration"


def _ensure_index() -> None:
    """The configuration's own small index, on every node (every search reads it), created
    before the first publish, so no search meets it half-created."""
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


def publish(*, configuration: dict[str, Any], fingerprint: str) -> None:
    """Replace the published configuration (`synonyms` and `merchandising` rule lists)."""
    _ensure_index()
    get_client().index(
        index=index_name(),
        id=DOCUMENT_ID,
        document={**configuration, "fingerprint": fingerprint},
        refresh=True,
    )
    freshness.stamp()


def published_fingerprint() -> str | None:
    try:
        source = get_client().get(index=index_name(), id=DOCUMENT_ID, source_includes=["fingerprint"])
    except NotFoundError:
        return None
    return source["_source"]["fingerprint"]


def current() -> dict[str, Any]:
    """The published configuration, read at most once per SEARCH_CONFIGURATION_CACHE_SECONDS
    per process; when it cannot be read, the last one read (an empty one at first)."""
    key = index_name()
    now = time.monotonic()
    cached = _cache.get(key)
    if cached is not None and now - cached[0] < settings.SEARCH_CONFIGURATION_CACHE_SECONDS:
        return cached[1]
    try:
        configuration = get_client().get(index=index_name(), id=DOCUMENT_ID)["_source"]
    except NotFoundError:
        configuration = {}
    except (ApiError, TransportError) as error:
        # Searching without the staff's rules beats not searching: keep the last ones read, and
        # do not ask again for a while, so an outage costs a search one timeout, not one per
        # lookup of the rules.
        logger.warning("search configuration unavailable (%s); using the last one read", error)
        configuration = cached[1] if cached is not None else {}
    _cache[key] = (now, configuration)
    return configuration
