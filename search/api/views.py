"""Query endpoints, from Elasticsearch only: products (get, list, search, suggest), and the brands
and the category tree of the products on sale. `api.views` serves the list and the brands and
categories at the URLs they share with commands.

Nothing here touches MySQL: the permission check for staff-only parameters reads the user
loaded by authentication, and every answer comes from `search.queries`. Searches and clicks
(`?ref=` on a product) are handed to `search.recording` for the analytics.
"""

import time

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from search import queries, recording

from . import caching, shapes, waiting
from .pagination import SearchAfterPagination
from .params import (
    DetailParamsSerializer,
    ListParamsSerializer,
    SearchParamsSerializer,
    SuggestParamsSerializer,
)

# Seconds a client told a version is not indexed yet should wait before asking again.
RETRY_VERSION_AFTER = 1
# Stateless, so one serves every request of the list and search endpoints.
PAGINATION = SearchAfterPagination()
# --- OpenAPI: the answers and headers every query endpoint shares ----------------------------
BAD_PARAMETER = OpenApiResponse(
    description="A bad parameter: the body maps each bad parameter to its reasons, e.g. "
    '`{"page_size": ["Ensure this value is less than or equal to 100."]}`.'
)
STAFF_ONLY = OpenApiResponse(
    description="`is_active=false` or `all` without the catalog.change_product permission."
)
NOT_MODIFIED = OpenApiResponse(
    description="Anonymous readers only: the answer the `If-None-Match` (or `If-Modified-Since`) "
    "validator describes is still current; no body."
)
THROTTLED = OpenApiResponse(description="Too many requests; `Retry-After` says when to come back.")
UNAVAILABLE = OpenApiResponse(
    description='Elasticsearch is unreachable or too slow: `{"detail": ..., "code": "search_unavailable"}`, '
    "with `Retry-After`."
)
ATTRIBUTE_FILTER = OpenApiParameter(
    "attr.<name>",
    str,
    description="Products whose attribute has one of these values, e.g. `attr.color=red,blue`; repeat "
    "the parameter to require several. For number attributes also `attr.<name>__gte=`, "
    "`attr.<name>__lte=` and `attr.<name>__lt=`, e.g. `attr.screen__gte=13`; a range bucket of the "
    "facets is `__gte=<from>&__lt=<to>`. A search's facet of an attribute counts as if its own "
    "filter were not given (the other filters apply).",
)
OPTION_FILTER = OpenApiParameter(
    "option.<name>",
    str,
    description="Products with one variant that has one of these values on that option axis, e.g. "
    "`option.size=M,L`; several option filters (and the price and in-stock filters) must all hold "
    "for the same variant, which each result then lists under `variants`.",
)
RESPONSE_HEADERS = [
    OpenApiParameter(
        "Cache-Control",
        str,
        OpenApiParameter.HEADER,
        response=[200],
        description="`public, max-age=5, stale-while-revalidate=10` (HTTP_CACHE_MAX_AGE, "
        "HTTP_CACHE_STALE_WHILE_REVALIDATE) to anonymous readers, else `private, no-cache`.",
    ),
    OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="To anonymous readers, once the read side's last change has settled: send it "
        "back in `If-None-Match` for a 304 while the answer is unchanged. A product's is its version.",
    ),
    OpenApiParameter(
        "Retry-After", int, OpenApiParameter.HEADER, response=[429, 503], description="Seconds to wait."
    ),
]
ACCEPT_LANGUAGE = OpenApiParameter(
    "Accept-Language",
    str,
    OpenApiParameter.HEADER,
    description="Picks the answer's language when `lang` is not given, e.g. `de-CH, de;q=0.9, en;q=0.5`; "
    "a language the catalog does not have is passed over (none: the default language).",
)
CONTENT_LANGUAGE = OpenApiParameter(
    "Content-Language",
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description="The language of the answer's names and descriptions (a text not translated into it "
    "is the default language's). Answers vary with `Accept-Language`.",
)
PRODUCT_READ_HEADERS = [ACCEPT_LANGUAGE, CONTENT_LANGUAGE, *RESPONSE_HEADERS]


def _staff_view_allowed(request: Request) -> bool:
    return request.user.is_authenticated and request.user.has_perm("catalog.change_product")


def _validated_list_params(
    serializer_class: type[ListParamsSerializer], request: Request
) -> ListParamsSerializer:
    params = serializer_class(query=request.query_params)
    params.is_valid(raise_exception=True)
    if params.validated_data["is_active"] != "true" and not _staff_view_allowed(request):
        raise PermissionDenied("Inactive products are visible to catalog staff only.")
    return params


class ProductListQuery(APIView):
    @extend_schema(
        parameters=[ListParamsSerializer, ATTRIBUTE_FILTER, OPTION_FILTER, *PRODUCT_READ_HEADERS],
        responses={
            200: shapes.ProductPageSerializer,
            304: NOT_MODIFIED,
            400: BAD_PARAMETER,
            403: STAFF_ONLY,
            429: THROTTLED,
            503: UNAVAILABLE,
        },
        description="Products, newest first by default. Follow `next` to walk the whole catalog.",
        operation_id="products_list",
    )
    def get(self, request: Request) -> Response:
        params = _validated_list_params(ListParamsSerializer, request)
        language = params.language(request.headers.get("Accept-Language"))
        validators = caching.generation_validators(request, language=language)
        if (unchanged := caching.not_modified(request, validators, language=language)) is not None:
            return unchanged
        page = queries.list_products(
            filters=params.filters(),
            ordering=params.validated_data["ordering"],
            page=PAGINATION.page_request(params.validated_data),
            language=language,
        )
        response = Response(shapes.page_body(PAGINATION.envelope(request, page), page))
        return caching.finish(response, request, validators=validators, language=language)


class ProductSearchQuery(APIView):
    @extend_schema(
        parameters=[SearchParamsSerializer, ATTRIBUTE_FILTER, OPTION_FILTER, *PRODUCT_READ_HEADERS],
        responses={
            200: shapes.SearchPageSerializer,
            304: NOT_MODIFIED,
            400: BAD_PARAMETER,
            403: STAFF_ONLY,
            429: THROTTLED,
            503: UNAVAILABLE,
        },
        description="Full-text search with typo tolerance, highlighting and facets. The words match the "
        "names and descriptions in the language asked for (`lang`, `Accept-Language`), analysed for "
        "that language, and with less weight the default language's, which untranslated products have.",
    )
    def get(self, request: Request) -> Response:
        params = _validated_list_params(SearchParamsSerializer, request)
        language = params.language(request.headers.get("Accept-Language"))
        text = params.validated_data["q"]
        validators = caching.generation_validators(request, language=language, search_text=text)
        # A revalidated search is not counted by the search analytics: a shared cache answers
        # most repeats of a popular search without asking at all.
        if (unchanged := caching.not_modified(request, validators, language=language)) is not None:
            return unchanged
        filters = params.filters()
        started = time.perf_counter()
        page = queries.search_products(
            text=params.validated_data["q"],
            filters=filters,
            ordering=params.validated_data["ordering"],
            page=PAGINATION.page_request(params.validated_data),
            language=language,
            autocorrect=params.validated_data["autocorrect"],
        )
        # The next pages of a search are not searches of their own. A search answered with its
        # correction's products, or with those matching most of its words, found nothing
        # itself, which the zero-result analytics must show.
        if page.page == 1:
            recording.record_search(
                text=params.validated_data["q"],
                filters=filters,
                hits=0 if page.showing_results_for or page.matched_most_words else page.count,
                latency_ms=(time.perf_counter() - started) * 1000,
            )
        # The next pages of a corrected search are pages of the correction.
        envelope = PAGINATION.envelope(request, page, query={"q": page.showing_results_for})
        response = Response(shapes.search_body(envelope, page))
        if page.showing_results_for:
            # Its validators name the merchandising rules of the words typed, not of the
            # correction whose products it shows: a rule of the correction starting or ending
            # would not change them, so a revalidation could keep a stale answer.
            validators = None
        return caching.finish(response, request, validators=validators, language=language)


class ProductSuggestQuery(APIView):
    @extend_schema(
        parameters=[SuggestParamsSerializer, *PRODUCT_READ_HEADERS],
        responses={
            200: shapes.SuggestionsSerializer,
            304: NOT_MODIFIED,
            400: BAD_PARAMETER,
            429: THROTTLED,
            503: UNAVAILABLE,
        },
        description="Up to 10 products whose name has words starting with what was typed.",
    )
    def get(self, request: Request) -> Response:
        params = SuggestParamsSerializer(query=request.query_params)
        params.is_valid(raise_exception=True)
        language = params.language(request.headers.get("Accept-Language"))
        validators = caching.generation_validators(request, language=language)
        if (unchanged := caching.not_modified(request, validators, language=language)) is not None:
            return unchanged
        suggestions = queries.suggest_products(text=params.validated_data["q"], language=language)
        response = Response(shapes.suggestions_body(suggestions))
        return caching.finish(response, request, validators=validators, language=language)


class ProductDetailQuery(APIView):
    @extend_schema(
        parameters=[DetailParamsSerializer, *PRODUCT_READ_HEADERS],
        responses={
            200: shapes.ProductDocumentSerializer,
            304: NOT_MODIFIED,
            400: BAD_PARAMETER,
            404: OpenApiResponse(
                description="Not in the index, deleted, or inactive (to all but staff); with "
                "`min_version`, also when the index does not hold that version of such a product."
            ),
            409: shapes.VERSION_NOT_INDEXED,
            429: THROTTLED,
            503: UNAVAILABLE,
        },
        description="One product as the read side holds it; ETag carries its version.\n\n"
        "`min_version=N` (read your own writes: N is the version a command answered with) asks for "
        "version N or newer. Signed-in callers wait for it up to `READ_YOUR_WRITES_WAIT_SECONDS` "
        "(5 s by default); anonymous callers never wait: they get the index's current answer at "
        f"once. Not there yet: 409 with `indexed_version` and `Retry-After: {RETRY_VERSION_AFTER}`. "
        "For a product the caller may not see (inactive, deleted, or not indexed at all), the "
        "answer is the 404 of an id that never existed.\n\n"
        "`ref=<query>`: the shopper came from a search for that query (counted as a click on "
        "its results by the search analytics).",
    )
    def get(self, request: Request, product_id: int) -> Response:
        params = DetailParamsSerializer(query=request.query_params)
        params.is_valid(raise_exception=True)
        staff = _staff_view_allowed(request)
        language = params.language(request.headers.get("Accept-Language"))
        min_version = params.validated_data.get("min_version")
        if min_version is None:
            product = queries.get_product(product_id=product_id, include_inactive=staff, language=language)
        else:
            # A waiting request holds a web worker: only signed-in (throttled per user) callers
            # may, and only a few at once across all workers (search.api.waiting); the others
            # get the index's answer at once, and Retry-After.
            with waiting.wait_slot(wanted=request.user.is_authenticated) as may_wait:
                wait = settings.READ_YOUR_WRITES_WAIT_SECONDS if may_wait else 0
                product, indexed = queries.wait_for_version(
                    product_id=product_id,
                    min_version=min_version,
                    include_inactive=staff,
                    timeout=wait,
                    language=language,
                )
            behind = indexed is None or indexed < min_version
            # Only a product the caller may see tells its version: to others an inactive or
            # deleted one is the 404 of an id that never existed.
            if behind and (product is not None or staff):
                return Response(
                    shapes.version_not_indexed_body(indexed=indexed, min_version=min_version),
                    status=409,
                    headers={"Retry-After": str(RETRY_VERSION_AFTER)},
                )
        if product is None:
            raise NotFound("No such product in the catalog.")
        if params.validated_data.get("ref"):
            recording.record_click(text=params.validated_data["ref"], product_id=product_id)
        validators = caching.product_validators(product["version"])
        unchanged = caching.not_modified(request, validators, language=language, min_version=min_version)
        if unchanged is not None:
            return unchanged
        response = Response(shapes.product_body(product))
        return caching.finish(
            response, request, validators=validators, language=language, min_version=min_version
        )


class BrandListQuery(APIView):
    @extend_schema(
        responses={200: shapes.BrandListSerializer, 304: NOT_MODIFIED, 429: THROTTLED, 503: UNAVAILABLE},
        parameters=RESPONSE_HEADERS,
        description="Every brand with at least one active product, by name, with its number of "
        "active products. A brand without one is not listed: the read side knows brands from "
        "their products.",
        operation_id="brands_list",
    )
    def get(self, request: Request) -> Response:
        validators = caching.generation_validators(request)
        if (unchanged := caching.not_modified(request, validators)) is not None:
            return unchanged
        return caching.finish(
            Response(shapes.brands_body(queries.list_brands())), request, validators=validators
        )


class CategoryTreeQuery(APIView):
    @extend_schema(
        responses={200: shapes.CategoryTreeSerializer, 304: NOT_MODIFIED, 429: THROTTLED, 503: UNAVAILABLE},
        parameters=RESPONSE_HEADERS,
        description="The category tree, each category with its number of active products, its own "
        "and those of the categories below it; children by name. Only categories with active "
        "products (themselves or below them) are in it: the read side knows categories from "
        "their products.",
        operation_id="categories_list",
    )
    def get(self, request: Request) -> Response:
        validators = caching.generation_validators(request)
        if (unchanged := caching.not_modified(request, validators)) is not None:
            return unchanged
        return caching.finish(
            Response(shapes.category_tree_body(queries.category_tree())), request, validators=validators
        )
