"""The get of a product as plain Django views, for the process-model section: one sync (our
query, no DRF) and one async (elasticsearch-py's async client). Beside our DRF view they tell
what the API layer costs and what the ASGI model with the async client gains. Measurement only:
the read side serves the DRF views on sync workers (docs/benchmarks.md)."""

from functools import cache

import orjson
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from elasticsearch import AsyncElasticsearch, NotFoundError

from search import index, queries
from search.client import SERIALIZERS, connection_options


@cache
def _async_client() -> AsyncElasticsearch:
    # One per worker process, created inside its event loop on the first request.
    return AsyncElasticsearch(
        **connection_options(), request_timeout=settings.ELASTICSEARCH_QUERY_TIMEOUT, serializers=SERIALIZERS
    )


def sync_product(request: HttpRequest, pk: int) -> HttpResponse:
    shown = queries.get_product(product_id=pk)
    if shown is None:
        raise Http404
    return HttpResponse(orjson.dumps(shown), content_type="application/json")


async def async_product(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        stored = await _async_client().get(index=index.alias_name(), id=str(pk), filter_path="_source")
    except NotFoundError:
        raise Http404 from None
    shown = queries.shown_product(stored["_source"])
    if shown is None:
        raise Http404
    return HttpResponse(orjson.dumps(shown), content_type="application/json")
