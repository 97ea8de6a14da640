"""Elasticsearch down, hanging or not built yet: every query endpoint answers 503
`search_unavailable` within its bounded timeout, never a 500 and never a hang.

The shared Elasticsearch keeps running: the client is pointed at a local port that refuses
connections, or at one that accepts them and never answers."""

import socket
import time
from collections.abc import Iterator

import pytest

from search import index
from search.client import get_client

LIST = "/api/products/"
# The queries that search the index (a missing index is an outage to them) ...
SEARCHES = [
    (LIST, {}),
    (LIST, {"brand": "acme", "ordering": "price"}),
    ("/api/products/search/", {"q": "keyboard"}),
    ("/api/products/suggest/", {"q": "keyb"}),
    ("/api/brands/", {}),
    ("/api/categories/", {}),
]
# ... and those that get one document.
QUERIES = [*SEARCHES, (f"{LIST}1/", {}), (f"{LIST}1/", {"min_version": 2})]
TIMEOUT = 0.5


@pytest.fixture
def refusing_port() -> int:
    """A local port nothing listens on: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A local port that accepts connections (the kernel completes them into the backlog) but
    never reads or answers: requests time out."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server.getsockname()[1]


def _assert_unavailable_quickly(api, bound: float) -> None:
    for url, params in QUERIES:
        started = time.monotonic()
        response = api.get(url, params)
        elapsed = time.monotonic() - started

        assert response.status_code == 503, (url, response.content)
        body = response.json()
        assert body["code"] == "search_unavailable"
        assert body["detail"]
        assert int(response["Retry-After"]) > 0
        assert "public" not in response.get("Cache-Control", ""), "an outage must not be cached"
        assert elapsed < bound, f"{url} took {elapsed:.2f}s"


def test_connection_refused_is_a_quick_503_on_every_query_endpoint(api, elasticsearch_at, refusing_port):
    elasticsearch_at(f"http://127.0.0.1:{refusing_port}", query_timeout=TIMEOUT)

    _assert_unavailable_quickly(api, bound=1.0)


def test_a_hanging_elasticsearch_is_a_503_after_the_query_timeout(api, elasticsearch_at, silent_port):
    elasticsearch_at(f"http://127.0.0.1:{silent_port}", query_timeout=TIMEOUT)

    _assert_unavailable_quickly(api, bound=TIMEOUT + 1.5)


def test_bad_input_is_still_a_400_while_elasticsearch_is_down(api, elasticsearch_at, refusing_port):
    elasticsearch_at(f"http://127.0.0.1:{refusing_port}", query_timeout=TIMEOUT)

    assert api.get(LIST, {"page_size": "0"}).status_code == 400
    assert api.get("/api/products/search/").status_code == 400


def test_a_read_side_not_built_yet_is_unavailable_not_an_error(api):
    # given no index behind the alias at all (before the first rebuild)
    index.delete_all_indices(get_client())

    for url, params in SEARCHES:
        response = api.get(url, params)
        assert response.status_code == 503, (url, response.content)
        assert response.json()["code"] == "search_unavailable"
    # a product the index cannot hold is simply not there
    assert api.get(f"{LIST}1/").status_code == 404
