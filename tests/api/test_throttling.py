"""Throttling by client address trusts X-Forwarded-For only behind configured proxies, and
sign-ins (token endpoint, admin login) are limited per address and per username."""

import itertools
import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from api import throttling
from api.throttling import ClientRateThrottle
from tests import factories

pytestmark = pytest.mark.django_db

# Answered without Elasticsearch (a 400 for the missing `q`), after the throttle has counted it.
CHEAP = "/api/products/suggest/"
TOKEN = "/api/auth/token/"
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))
# Longer than any test here takes on a loaded machine.
WINDOW_MARGIN = 5


@pytest.fixture(autouse=True)
def _one_window() -> None:
    """Every bucket here counts in windows of a minute: a test that ran across the end of one
    would see its counts start again (a test once admitted 700 of a rate of 500). Each starts
    with at least WINDOW_MARGIN seconds of its window left."""
    left = 60 - time.time() % 60
    if left < WINDOW_MARGIN:
        time.sleep(left + 0.05)


@pytest.fixture
def rates(monkeypatch):
    def set_rates(**rates: str) -> None:
        defaults = {"anon": "100000/min", "user": "100000/min"}
        monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", {**defaults, **rates})

    return set_rates


def test_a_made_up_x_forwarded_for_does_not_reset_the_anonymous_bucket(rates):
    # given an anonymous client allowed 2 requests a minute, and no proxy configured
    rates(anon="2/min")
    client = APIClient(REMOTE_ADDR=next(_addresses))

    # when it claims another forwarded address on every request
    statuses = [client.get(CHEAP, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(3)]

    # then it is still counted by its own address
    assert statuses == [400, 400, 429]


def test_behind_a_configured_proxy_the_forwarded_client_is_counted(rates, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    rates(anon="1/min")
    proxy = next(_addresses)
    first, second = next(_addresses), next(_addresses)

    def get(client_address: str) -> int:
        # the client may prepend anything; the proxy appends the address it saw
        return (
            APIClient(REMOTE_ADDR=proxy)
            .get(CHEAP, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {client_address}")
            .status_code
        )

    assert [get(first), get(second), get(first)] == [400, 400, 429]


def test_token_requests_are_limited_per_address(rates):
    # given sign-ins limited to 3 a minute per address
    rates(login_address="3/min", login_username="100/min")
    client = APIClient(REMOTE_ADDR=next(_addresses))

    # when one address guesses passwords of different users
    responses = [
        client.post(TOKEN, {"username": f"user-{n}", "password": "guess"}, format="json") for n in range(4)
    ]

    # then the fourth attempt is refused with 429 and when to come back
    assert [response.status_code for response in responses] == [400, 400, 400, 429]
    assert 0 < int(responses[-1]["Retry-After"]) <= 60


def test_token_requests_are_limited_per_username_in_any_spelling(rates):
    factories.user(username="integrator")
    rates(login_address="100/min", login_username="3/min")
    spellings = ["integrator", "INTEGRATOR", "Íntegrator", "integrator "]

    responses = [
        APIClient(REMOTE_ADDR=next(_addresses)).post(
            TOKEN, {"username": spelling, "password": "guess"}, format="json"
        )
        for spelling in spellings
    ]

    assert [response.status_code for response in responses] == [400, 400, 400, 429]
    # the limit holds for the right password too, until the window ends
    right = APIClient(REMOTE_ADDR=next(_addresses)).post(
        TOKEN, {"username": "integrator", "password": "secret-pass-123"}, format="json"
    )
    assert right.status_code == 429


def test_the_admin_login_form_is_limited_with_a_clear_error(rates):
    factories.user(username="boss")
    rates(login_address="2/min", login_username="100/min")
    browser = Client(REMOTE_ADDR=next(_addresses))

    attempts = [browser.post("/admin/login/", {"username": "boss", "password": "guess"}) for _ in range(3)]

    assert "Too many sign-in attempts" not in attempts[1].content.decode()
    assert "Too many sign-in attempts" in attempts[2].content.decode()
    assert "_auth_user_id" not in browser.session


def test_sign_ins_are_not_refused_when_redis_is_down(rates, monkeypatch):
    factories.user(username="outage")
    rates(login_address="1/min", login_username="1/min")
    monkeypatch.setattr(
        throttling, "redis_client", lambda: throttling.redis.Redis(port=1, socket_connect_timeout=0.2)
    )
    client = APIClient(REMOTE_ADDR=next(_addresses))

    statuses = [
        client.post(TOKEN, {"username": "outage", "password": "secret-pass-123"}, format="json").status_code
        for _ in range(3)
    ]

    assert statuses == [200, 200, 200]


def _tally(buckets: list[throttling.Bucket], requests: int) -> list[float]:
    return [throttling.seconds_to_wait(buckets) for _ in range(requests)]


def _redis_count(bucket: throttling.Bucket) -> int:
    now = throttling.time.time()
    key = throttling.django_cache.make_key(
        f"throttle_{bucket.scope}_{bucket.ident}:{int(now - now % bucket.duration)}"
    )
    return int(throttling.redis_client().get(key) or 0)


@pytest.fixture
def redis_round_trips(monkeypatch) -> list[int]:
    """The Redis round trips the throttle makes (each a real one), counted."""
    trips: list[int] = []
    client = throttling.redis.Redis.from_url(throttling.settings.CACHES["default"]["LOCATION"])
    open_pipeline = client.pipeline

    def pipeline(*args, **kwargs):
        trips.append(1)
        return open_pipeline(*args, **kwargs)

    client.pipeline = pipeline
    monkeypatch.setattr(throttling, "redis_client", lambda: client)
    return trips


def test_a_client_far_from_its_limit_costs_one_round_trip_per_local_share(settings, redis_round_trips):
    # given a rate of 10,000 a minute, of which a process may admit 2% (200) before reporting
    settings.THROTTLE_LOCAL_SHARE = 0.02
    bucket = throttling.Bucket(scope="anon", ident=next(_addresses), num_requests=10_000, duration=60)

    # when the client sends 1,000 requests to this process
    waits = _tally([bucket], 1000)

    # then all are admitted, Redis was asked about once per 201 of them, and knows every
    # request but those admitted since the last report
    assert waits == [0.0] * 1000
    assert len(redis_round_trips) == 5
    assert 1000 - 200 <= _redis_count(bucket) <= 1000


def test_the_limit_holds_with_local_shares(settings):
    # given a rate of 500 a minute and a 2% share (10 requests)
    settings.THROTTLE_LOCAL_SHARE = 0.02
    bucket = throttling.Bucket(scope="anon", ident=next(_addresses), num_requests=500, duration=60)

    # when the client sends 700 requests
    admitted = sum(wait == 0.0 for wait in _tally([bucket], 700))

    # then near the limit every request was counted in Redis: exactly the rate was admitted
    assert admitted == 500
    assert _redis_count(bucket) == 700


def test_without_a_local_share_every_request_is_counted_in_redis(settings, redis_round_trips):
    settings.THROTTLE_LOCAL_SHARE = 0
    bucket = throttling.Bucket(scope="anon", ident=next(_addresses), num_requests=10_000, duration=60)

    _tally([bucket], 50)

    assert len(redis_round_trips) == 50
    assert _redis_count(bucket) == 50
