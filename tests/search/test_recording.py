"""Searches hand their analytics records to Redis without ever failing or waiting for it: a
Redis that refuses or never answers costs one short timeout per process, then the sink pauses."""

import socket
import time
from collections.abc import Iterator

import orjson
import pytest

from search import recording
from search.query_building import ProductFilters
from tests import factories
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SEARCH = "/api/products/search/"


@pytest.fixture
def lamps(search_index):
    for number in range(3):
        factories.product(name=f"Desk Lamp {number}")
    project()


@pytest.fixture
def refusing_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """Accepts connections but never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server.getsockname()[1]


def _queued(search_records, settings) -> list[dict]:
    return [orjson.loads(item) for item in search_records.lrange(settings.ANALYTICS_QUEUE_KEY, 0, -1)]


def test_a_first_page_is_recorded_the_next_pages_are_not(api, lamps, search_records, settings):
    first = api.get(SEARCH, {"q": "Desk  LAMP", "page_size": 2, "in_stock": "true"}).json()
    api.get(first["next"])

    (record,) = _queued(search_records, settings)
    assert record["kind"] == "search" and record["q"] == "desk lamp" and record["hits"] == 3
    assert record["filters"] == {"in_stock": True} and record["ms"] > 0


def test_a_search_answered_with_its_correction_is_recorded_as_finding_nothing(
    api, lamps, search_records, settings
):
    # given a misspelling that finds nothing itself
    answer = api.get(SEARCH, {"q": "dsk lamp"}).json()
    assert answer["showing_results_for"] == "desk lamp" and answer["count"] == 3

    # then the analytics see the words typed, with no hits: a merchandiser's zero-result query
    (record,) = _queued(search_records, settings)
    assert record["q"] == "dsk lamp" and record["hits"] == 0


def test_a_search_answered_with_the_products_matching_most_of_its_words_is_recorded_as_finding_nothing(
    api, lamps, search_records, settings
):
    # given words no product has all of, nor a correction
    answer = api.get(SEARCH, {"q": "bright desk lamp for reading"}).json()
    assert answer["matched_most_words"] is True and answer["count"] == 3

    # then the analytics see a zero-result query
    (record,) = _queued(search_records, settings)
    assert record["q"] == "bright desk lamp for reading" and record["hits"] == 0


@pytest.mark.parametrize("port_kind", ["refusing_port", "silent_port"])
def test_searches_answer_while_redis_is_down(
    api, lamps, search_records, settings, request, caplog, port_kind
):
    # given the sink pointed at a Redis that refuses connections, or one that never answers
    settings.ANALYTICS_REDIS_URL = f"redis://127.0.0.1:{request.getfixturevalue(port_kind)}/0"
    recording.reset()

    # when shoppers search
    answers = [api.get(SEARCH, {"q": "lamp"}) for _ in range(20)]

    # then every search answers, and only the first one tried to hand its record over
    assert [answer.status_code for answer in answers] == [200] * 20
    assert all(answer.json()["count"] == 3 for answer in answers)
    assert [r.message for r in caplog.records if r.name == "search.recording"] == [caplog.records[0].message]
    assert "Redis unavailable" in caplog.records[0].message


def test_a_hand_over_to_a_silent_redis_waits_one_short_timeout(settings, silent_port, search_records):
    settings.ANALYTICS_REDIS_URL = f"redis://127.0.0.1:{silent_port}/0"
    recording.reset()
    search = {"text": "lamp", "filters": ProductFilters(), "hits": 3, "latency_ms": 5.0}

    started = time.perf_counter()
    recording.record_search(**search)
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(1000):
        recording.record_search(**search)
    paused = (time.perf_counter() - started) / 1000

    # the socket timeout (0.05 s) plus scheduling slack; then microseconds
    assert first < settings.ANALYTICS_SINK_TIMEOUT * 2 + 0.2
    assert paused < 0.0005


def test_the_sink_pauses_after_a_failure_then_records_again(api, lamps, search_records, settings):
    # given a failed hand-over (Redis at a dead address), with a short pause
    settings.ANALYTICS_SINK_PAUSE_SECONDS = 0.5
    settings.ANALYTICS_REDIS_URL = "redis://127.0.0.1:1/0"
    recording.reset()
    api.get(SEARCH, {"q": "lamp"})

    # when Redis is back and the pause is over
    settings.ANALYTICS_REDIS_URL = settings.CELERY_BROKER_URL
    recording._redis.cache_clear()
    api.get(SEARCH, {"q": "during the pause"})
    time.sleep(0.6)
    api.get(SEARCH, {"q": "after the pause"})

    # then only the search after the pause is recorded
    assert [record["q"] for record in _queued(search_records, settings)] == ["after the pause"]


def test_the_list_keeps_the_newest_records_when_nothing_flushes_it(api, lamps, search_records, settings):
    settings.ANALYTICS_QUEUE_MAX = 3
    for number in range(5):
        api.get(SEARCH, {"q": f"lamp {number}"})

    assert [record["q"] for record in _queued(search_records, settings)] == ["lamp 2", "lamp 3", "lamp 4"]


def test_recording_off_records_nothing(api, lamps, search_records, settings):
    settings.ANALYTICS_ENABLED = False
    api.get(SEARCH, {"q": "lamp"})

    assert _queued(search_records, settings) == []


def test_a_product_opened_from_a_search_is_a_click(api, search_index, search_records, settings):
    product = factories.product(name="Desk Lamp")
    project()

    api.get(f"/api/products/{product.pk}/", {"ref": "Desk Lamp"})
    api.get(f"/api/products/{product.pk}/")  # not from a search

    (click,) = _queued(search_records, settings)
    assert click["kind"] == "click" and click["q"] == "desk lamp" and click["product"] == product.pk
