"""Errors of the read side, each mapped to one HTTP status by the API, and the one place that
turns the Elasticsearch client's errors into them."""

from collections.abc import Iterator
from contextlib import contextmanager

from elasticsearch import ApiError, TransportError


class SearchUnavailable(Exception):
    """Elasticsearch did not answer in time or at all: HTTP 503."""


class InvalidCursor(ValueError):
    """A `cursor` parameter that this service did not write: HTTP 400."""


@contextmanager
def elasticsearch_errors() -> Iterator[None]:
    """Around every call to Elasticsearch: whatever the client raises becomes SearchUnavailable."""
    try:
        yield
    # A missing alias (404) is an outage too: the read side has not been built yet.
    except (TransportError, ApiError) as error:
        raise SearchUnavailable("The search service is unavailable; try again shortly.") from error
