"""HTTP caching of the query endpoints against the real services: anonymous answers carry
validators and revalidate with a 304 that asks Elasticsearch nothing; a change makes the next
revalidation miss; read-your-writes and signed-in reads are never answered from a validator."""

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import redis
from elastic_transport import Transport

from catalog import services
from search import freshness
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LIST = "/api/products/"
SEARCH = "/api/products/search/"
SUGGEST = "/api/products/suggest/"
# Every kind of answer computed from the whole index, with its parameters.
GENERATION_ANSWERS = [
    (LIST, {"brand": "acme"}),
    (SEARCH, {"q": "gear"}),
    (SUGGEST, {"q": "acme"}),
    ("/api/brands/", {}),
    ("/api/categories/", {}),
]


@pytest.fixture
def settled(settings) -> Iterator[None]:
    """Configuration read on every search, so the generation settles a second after the index's
    refresh; yields once the shop's writes have settled."""
    settings.SEARCH_CONFIGURATION_CACHE_SECONDS = 0
    _wait_until_settled()
    yield


def _wait_until_settled() -> None:
    deadline = time.monotonic() + freshness.settle_seconds() + 5
    while freshness.settled_generation() is None:
        assert time.monotonic() < deadline, "the read generation never settled"
        time.sleep(0.2)


@pytest.fixture
def elasticsearch_requests(monkeypatch) -> list[str]:
    """The paths of the requests the query code sends to Elasticsearch (the real ones, counted)."""
    sent: list[str] = []
    perform = Transport.perform_request

    def counting(self, method, target, *args, **kwargs):
        sent.append(target)
        return perform(self, method, target, *args, **kwargs)

    monkeypatch.setattr(Transport, "perform_request", counting)
    return sent


def _revalidate(api, url: str, params: dict[str, Any], first) -> Any:
    return api.get(url, params, HTTP_IF_NONE_MATCH=first["ETag"])


def test_anonymous_answers_revalidate_with_a_304_that_asks_elasticsearch_nothing(
    shop, api, settled, elasticsearch_requests
):
    for url, params in GENERATION_ANSWERS:
        # given an anonymous answer with its validators
        first = api.get(url, params)
        assert first.status_code == 200, url
        assert first["ETag"].startswith('W/"'), url
        cache_control = set(first["Cache-Control"].split(", "))
        assert cache_control == {"public", "max-age=5", "stale-while-revalidate=10"}, url

        # when a cache revalidates it with its ETag
        elasticsearch_requests.clear()
        again = _revalidate(api, url, params, first)

        # then the answer is a 304 with the same validators and caching headers, no body, and
        # Elasticsearch ran no query (at most the search configuration was read, which these
        # tests read on every search and a deployment once per 5 s)
        assert again.status_code == 304, url
        assert again.content == b""
        assert again["ETag"] == first["ETag"]
        assert again["Cache-Control"] == first["Cache-Control"]
        queries = [path for path in elasticsearch_requests if "/_doc/configuration" not in path]
        assert queries == [], (url, queries)


def test_a_search_answered_with_its_correction_carries_no_validator(shop, api, settled):
    # given a misspelling that finds nothing itself, answered with its correction's products
    corrected = api.get(SEARCH, {"q": "xeadphones"})
    assert corrected.json()["showing_results_for"] == "headphones"

    # then it has no ETag to revalidate (the merchandising rules of "headphones" are not in the
    # validators of "xeadphones"), and the short shared max-age still applies
    assert "ETag" not in corrected
    assert "max-age=5" in corrected["Cache-Control"]


def test_if_modified_since_revalidates_a_list_but_a_search_only_by_etag(shop, api, settled):
    listed = api.get(LIST)
    assert api.get(LIST, HTTP_IF_MODIFIED_SINCE=listed["Last-Modified"]).status_code == 304

    # A merchandising rule can start or end without any write: a search has no Last-Modified.
    searched = api.get(SEARCH, {"q": "gear"})
    assert "Last-Modified" not in searched
    assert api.get(SEARCH, {"q": "gear"}, HTTP_IF_MODIFIED_SINCE=listed["Last-Modified"]).status_code == 200


def test_the_answers_language_and_format_are_part_of_the_validator(shop, api, settled):
    english = api.get(LIST, {"lang": "en"})
    german = api.get(LIST, {"lang": "de"}, HTTP_IF_NONE_MATCH=english["ETag"])
    browsable = api.get(LIST, {"lang": "en"}, HTTP_ACCEPT="text/html", HTTP_IF_NONE_MATCH=english["ETag"])

    assert german.status_code == 200
    assert german["ETag"] != english["ETag"]
    assert browsable.status_code == 200


def test_a_change_makes_the_next_revalidation_miss(shop, api, settled):
    # given anonymous answers a cache holds
    held = {url: api.get(url, params) for url, params in GENERATION_ANSWERS}
    product = api.get(f"{LIST}{shop['studio'].pk}/")

    # when a product changes and the change reaches the index
    services.product_update(
        product_id=shop["studio"].pk,
        changes={"name": "Acme Studio Monitor Headphones", "price": Decimal("89")},
    )
    project()

    # then, at once and after the change has settled, every revalidation gets the new answer
    for _ in range(2):
        for url, params in GENERATION_ANSWERS:
            assert _revalidate(api, url, params, held[url]).status_code == 200, url
        fresh = _revalidate(api, f"{LIST}{shop['studio'].pk}/", {}, product)
        assert fresh.status_code == 200
        assert fresh.json()["name"] == "Acme Studio Monitor Headphones"
        _wait_until_settled()

    settled_answer = api.get(LIST, {"brand": "acme"})
    assert settled_answer["ETag"] != held[LIST]["ETag"]
    assert api.get(LIST, {"brand": "acme"}, HTTP_IF_NONE_MATCH=settled_answer["ETag"]).status_code == 304


def test_a_product_revalidates_by_its_version(shop, api):
    url = f"{LIST}{shop['mechanical'].pk}/"
    first = api.get(url)
    assert first["ETag"] == f'"{shop["mechanical"].version}"'

    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert api.get(url, HTTP_IF_NONE_MATCH='"999"').status_code == 200


def test_read_your_writes_and_signed_in_reads_are_never_answered_from_a_validator(
    shop, api, staff_api, settled
):
    url = f"{LIST}{shop['studio'].pk}/"
    anonymous = api.get(url)

    waited = api.get(url, {"min_version": shop["studio"].version}, HTTP_IF_NONE_MATCH=anonymous["ETag"])
    assert waited.status_code == 200
    assert set(waited["Cache-Control"].split(", ")) == {"private", "no-cache"}

    staff = staff_api.get(url, HTTP_IF_NONE_MATCH=anonymous["ETag"])
    assert staff.status_code == 200
    assert staff["ETag"] == anonymous["ETag"]  # the version If-Match compares, for everyone

    for listed_url, params in GENERATION_ANSWERS:
        public = api.get(listed_url, params)
        signed_in = staff_api.get(listed_url, params, HTTP_IF_NONE_MATCH=public["ETag"])
        assert signed_in.status_code == 200, listed_url
        assert "ETag" not in signed_in and "Last-Modified" not in signed_in
        assert {"private", "no-cache"} <= set(signed_in["Cache-Control"].split(", "))


def test_an_unsettled_change_gives_no_validator(shop, api, settled):
    services.product_update(product_id=shop["wireless"].pk, changes={"stock": 0})
    project()

    answer = api.get(LIST)

    # Until every process surely answers with the change, an answer is cacheable for max-age only.
    assert answer.status_code == 200
    assert "ETag" not in answer and "Last-Modified" not in answer
    assert "max-age=5" in answer["Cache-Control"]


def test_without_redis_answers_carry_no_validator_and_never_fail(shop, api, settled, monkeypatch):
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setattr(freshness, "redis_client", lambda: unreachable)
    # The throttle shares that Redis in production; here it keeps its own, so the read is served.
    with pytest.raises(redis.ConnectionError):
        unreachable.ping()  # the outage is real

    answer = api.get(LIST, HTTP_IF_NONE_MATCH='W/"0"')

    assert answer.status_code == 200
    assert "ETag" not in answer
