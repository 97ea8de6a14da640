"""The cache backend (shared.cache): Django's Redis cache against the real Redis, with its client
built once per connection pool and still working in a forked child (gunicorn's workers); and
the raw client of the same Redis that the read generation and the throttle use."""

import os
import uuid

import redis
from django.conf import settings
from django.core.cache import cache, caches

from shared.cache import redis_client


def test_the_cache_answers_as_djangos_redis_cache_with_one_client_for_every_operation(monkeypatch):
    # given the configured cache as a process starts with it, a key no other test uses, and a
    # count of the Redis clients built from now on
    cache = caches.create_connection("default")
    key = f"test-cache-{uuid.uuid4()}"
    built = []
    monkeypatch.setattr(redis.Redis, "__init__", _counted(redis.Redis.__init__, built))

    # when it is added twice, read, and deleted
    outcomes = [cache.add(key, {"waiting": True}, timeout=30), cache.add(key, "other", timeout=30)]
    stored = cache.get(key)
    cache.delete(key)

    # then only the first add stored its value, which reads back whole, and one client served all
    assert outcomes == [True, False]
    assert stored == {"waiting": True}
    assert cache.get(key, "gone") == "gone"
    assert len(built) == 1


def test_a_forked_child_uses_the_cache_through_connections_of_its_own():
    # given a client in use in this process
    key = f"test-cache-{uuid.uuid4()}"
    cache.set(key, "parent", timeout=30)

    # when a forked child writes through the same cache
    child = os.fork()
    if child == 0:
        try:
            cache.set(key, "child", timeout=30)
            os._exit(0 if cache.get(key) == "child" else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(child, 0)

    # then the child's write succeeded, and the parent reads it on its own connection still
    assert os.waitstatus_to_exitcode(status) == 0
    assert cache.get(key) == "child"
    cache.delete(key)


def test_the_raw_client_is_one_per_process_on_the_caches_redis_with_its_timeouts():
    # given a value the cache writes as it is (Django's Redis cache pickles all but integers)
    name = f"test-cache-{uuid.uuid4()}"
    cache.set(name, 42, timeout=30)
    key = cache.make_key(name)

    # when the raw client reads it
    client = redis_client()

    # then it reads the same Redis, is the same client every time, and waits no longer than the
    # cache is configured to
    assert client.get(key) == b"42"
    assert redis_client() is client
    options = settings.CACHES["default"]["OPTIONS"]
    connection = client.connection_pool.connection_kwargs
    assert (connection["socket_connect_timeout"], connection["socket_timeout"]) == (
        options["socket_connect_timeout"],
        options["socket_timeout"],
    )
    client.delete(key)


def _counted(init, built):
    def counting(self, *args, **kwargs):
        built.append(1)
        init(self, *args, **kwargs)

    return counting
