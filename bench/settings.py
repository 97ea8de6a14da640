"""Bench-only settings: the local settings plus the peer app (django-elasticsearch-dsl over the same
catalog.Product model) and a plain DRF `icontains` endpoint on MySQL. The harness points
DATABASE_URL, ELASTICSEARCH_INDEX_ALIAS and the Celery queue at bench-only names."""

from config.settings.local import *  # noqa: F403
from config.settings.local import ELASTICSEARCH_URL, INSTALLED_APPS, env

DEBUG = False  # DEBUG keeps every SQL query in memory and is not how anyone serves traffic
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = [*INSTALLED_APPS, "django_elasticsearch_dsl", "bench.peer"]
ROOT_URLCONF = "bench.urls"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

ELASTICSEARCH_DSL = {"default": {"hosts": ELASTICSEARCH_URL, "request_timeout": 60}}
# The peer is measured only by its `search_index --rebuild`; it must not index on our writes.
ELASTICSEARCH_DSL_AUTOSYNC = False
ELASTICSEARCH_DSL_AUTO_REFRESH = False
BENCH_PEER_INDEX = env("BENCH_PEER_INDEX", default="bench-dedsl-products")
