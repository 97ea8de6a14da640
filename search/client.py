"""The Elasticsearch client, built once per process from settings."""

from functools import cache

from django.conf import settings
from elasticsearch import Elasticsearch


@cache
def get_client() -> Elasticsearch:
    # Queries must fail fast when Elasticsearch is down (the API answers 503); bulk writes from
    # the worker pass a longer timeout per request.
    return Elasticsearch(
        settings.ELASTICSEARCH_URL,
        request_timeout=settings.ELASTICSEARCH_QUERY_TIMEOUT,
        max_retries=0,
        retry_on_timeout=False,
    )
