"""Errors of the read side, each mapped to one HTTP status by the API."""


class SearchUnavailable(Exception):
    """Elasticsearch did not answer in time or at all: HTTP 503."""


class InvalidCursor(ValueError):
    """A `cursor` parameter that this service did not write: HTTP 400."""
