"""The Elasticsearch client, built once per process from settings."""

from functools import cache

import orjson
from django.conf import settings
from elasticsearch import Elasticsearch
from elasticsearch.serializer import NdjsonSerializer, OrjsonSerializer


class OrjsonNdjsonSerializer(NdjsonSerializer):
    """Bulk bodies encoded with orjson: the standard library's encoder was a fifth of a rebuild's
    CPU time."""

    def json_dumps(self, data):
        return orjson.dumps(data, default=self.default)

    def json_loads(self, data):
        return orjson.loads(data)


SERIALIZERS = {"application/json": OrjsonSerializer(), "application/x-ndjson": OrjsonNdjsonSerializer()}


@cache
def get_client() -> Elasticsearch:
    # Queries must fail fast when Elasticsearch is down (the API answers 503); bulk writes from
    # the worker pass a longer timeout per request.
    return Elasticsearch(
        settings.ELASTICSEARCH_URL,
        request_timeout=settings.ELASTICSEARCH_QUERY_TIMEOUT,
        max_retries=0,
        retry_on_timeout=False,
        serializers=SERIALIZERS,
    )
