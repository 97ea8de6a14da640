"""The Elasticsearch client, built once per process from settings."""

from functools import cache
from typing import Any

import orjson
from django.conf import settings
from elasticsearch import Elasticsearch
from elasticsearch.serializer import NdjsonSerializer, OrjsonSerializer

from search.transport import HttpClientNode


class OrjsonNdjsonSerializer(NdjsonSerializer):
    """Bulk bodies encoded with orjson: the standard library's encoder was a fifth of a rebuild's
    CPU time."""

    def json_dumps(self, data):
        return orjson.dumps(data, default=self.default)

    def json_loads(self, data):
        return orjson.loads(data)


SERIALIZERS = {"application/json": OrjsonSerializer(), "application/x-ndjson": OrjsonNdjsonSerializer()}


def connection_options() -> dict[str, Any]:
    """Where the cluster is and how to authenticate, from the deployment's settings."""
    options: dict[str, Any] = {}
    if settings.ELASTICSEARCH_CLOUD_ID:
        options["cloud_id"] = settings.ELASTICSEARCH_CLOUD_ID
    else:
        options["hosts"] = [url.strip() for url in settings.ELASTICSEARCH_URL.split(",") if url.strip()]
    if settings.ELASTICSEARCH_API_KEY:
        options["api_key"] = settings.ELASTICSEARCH_API_KEY
    elif settings.ELASTICSEARCH_USERNAME:
        options["basic_auth"] = (settings.ELASTICSEARCH_USERNAME, settings.ELASTICSEARCH_PASSWORD)
    if settings.ELASTICSEARCH_CA_CERTS:
        options["ca_certs"] = settings.ELASTICSEARCH_CA_CERTS
    if not settings.ELASTICSEARCH_VERIFY_CERTS:
        options["verify_certs"] = False
        options["ssl_show_warn"] = False
    return options


@cache
def get_client() -> Elasticsearch:
    options = connection_options()
    # Queries must fail fast when Elasticsearch is down (the API answers 503): no retry of a
    # timeout, but a node that refuses the connection is retried once on each other node, so
    # a cluster that lost one node keeps answering. Bulk writes from the worker pass a longer
    # timeout per request.
    return Elasticsearch(
        **options,
        request_timeout=settings.ELASTICSEARCH_QUERY_TIMEOUT,
        max_retries=max(len(options.get("hosts", ())) - 1, 0),
        retry_on_timeout=False,
        serializers=SERIALIZERS,
        node_class=HttpClientNode,
    )


def check_answers() -> None:
    """Raise unless Elasticsearch answers within 2 s. Asks `_cluster/health`, not `ping()`: the
    `GET /` that ping() sends is missing from some distributions (the integration-test zip's)."""
    get_client().options(request_timeout=2).cluster.health()
