"""Command endpoints (POST, PUT, PATCH, DELETE) of products, brands and categories.

Each handler validates the body with a serializer, calls one service and answers with the
write model's state; none waits for Elasticsearch. The query endpoints for products live in
`search.api.views`; `api.views` serves both at the product URLs they share, which is why the
product handlers use nothing of their view instance.
"""

from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, DjangoModelPermissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import ModelSerializer
from rest_framework.views import APIView

from catalog import history, imports, services
from catalog.models import (
    AttributeDefinition,
    Brand,
    Category,
    ImportJob,
    MerchandisingRule,
    Product,
    ProductChange,
    ProductVariant,
    SynonymRule,
)

from .http import (
    IDEMPOTENCY_KEY_SCHEMA,
    IF_MATCH_PATTERN,
    etag,
    expected_version,
    idempotent,
    idempotent_in_chunks,
    signed_in_user_id,
)
from .serializers import (
    OPERATION_PERMISSIONS,
    AttributeDefinitionSerializer,
    BrandSerializer,
    BulkAnswerSerializer,
    BulkOperationSerializer,
    CategorySerializer,
    ImportJobSerializer,
    ImportRequestSerializer,
    InventoryBulkSerializer,
    InventoryChangeSerializer,
    MerchandisingRuleSerializer,
    ProductBulkSerializer,
    ProductChangeSerializer,
    ProductSerializer,
    SynonymRuleSerializer,
    VariantSerializer,
)

IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "pattern": IF_MATCH_PATTERN},
    OpenApiParameter.HEADER,
    description='Expected version as an ETag, e.g. "3". A stale version gets 412 and changes nothing.',
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    IDEMPOTENCY_KEY_SCHEMA,
    OpenApiParameter.HEADER,
    description="Retries with the same key and body get the first answer again (kept 24 h+); "
    "the same key with another body gets 422. Keys are compared byte for byte. Concurrent "
    "requests with one key are answered one after the other (409 with Retry-After if one "
    "waits over 10 s).",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 412],
    description='The stored version, e.g. "3"; send it back in If-Match.',
)
LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[201],
    description="URL of the new resource.",
)
COMMON_ERRORS = {
    400: OpenApiResponse(description="Invalid fields: {field: [reasons]}."),
    401: OpenApiResponse(description="No credentials."),
    403: OpenApiResponse(description="Missing the model permission."),
    413: OpenApiResponse(description="The body is over the upload limit (2.5 MB by default)."),
    415: OpenApiResponse(description="The body is not JSON."),
    429: OpenApiResponse(description="Throttled; see Retry-After."),
}
KEY_REUSED = OpenApiResponse(description="Key reused.")
ITEM_ERRORS = {
    **COMMON_ERRORS,
    404: OpenApiResponse(description="No such resource."),
    412: OpenApiResponse(description="If-Match names a stale version."),
}


class CommandPermissions(DjangoModelPermissions):
    """Commands need a signed-in user holding catalog.add_/change_/delete_<model>."""


class ProductCreateCommand(APIView):
    queryset = Product.objects.none()
    permission_classes = [CommandPermissions]

    @extend_schema(
        request=ProductSerializer,
        parameters=[IDEMPOTENCY_KEY, ETAG, LOCATION],
        responses={201: ProductSerializer, 422: KEY_REUSED, **COMMON_ERRORS},
        description="Create a product. Answers with Location and ETag headers.",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = ProductSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_create(**serializer.validated_data, origin=_api(request))
        return Response(
            ProductSerializer(product).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/products/{product.pk}/", **etag(product.version)},
        )


class ProductItemCommand(APIView):
    queryset = Product.objects.none()
    permission_classes = [CommandPermissions]

    @extend_schema(
        request=ProductSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: ProductSerializer, **ITEM_ERRORS},
        description="Replace a product; fields left out return to their defaults.",
    )
    def put(self, request: Request, product_id: int) -> Response:
        return _update_product(request, product_id, partial=False)

    @extend_schema(
        request=ProductSerializer(partial=True),
        parameters=[IF_MATCH, ETAG],
        responses={200: ProductSerializer, **ITEM_ERRORS},
        description="Change some fields of a product.",
    )
    def patch(self, request: Request, product_id: int) -> Response:
        return _update_product(request, product_id, partial=True)

    @extend_schema(parameters=[IF_MATCH, ETAG], responses={204: None, **ITEM_ERRORS})
    def delete(self, request: Request, product_id: int) -> Response:
        services.product_delete(
            product_id=product_id, expected_version=expected_version(request), origin=_api(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _update_product(request: Request, product_id: int, *, partial: bool) -> Response:
    """PUT replaces (fields left out take the model's defaults), PATCH changes the fields it names."""
    version = expected_version(request)
    serializer = ProductSerializer(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    product = services.product_update(
        product_id=product_id,
        changes=serializer.validated_data,
        expected_version=version,
        replace=not partial,
        origin=_api(request),
    )
    return Response(ProductSerializer(product).data, headers=etag(product.version))


def _api(request: Request) -> history.Origin:
    """A single command's origin: the API, and the signed-in user or the token's user."""
    return history.Origin.of(request.user, channel=history.Channel.API)


# --- a product's change history: the catalog's audit, read from MySQL ----------------------------------


class StaffOnly(BasePermission):
    """Staff users only: the history names who changed what."""

    message = {"detail": "The change history is for staff users only.", "code": "staff_only"}

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_staff)


class HistoryPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ProductHistoryQuery(ListAPIView):
    queryset = ProductChange.objects.none()
    permission_classes = [StaffOnly]
    serializer_class = ProductChangeSerializer
    pagination_class = HistoryPagination

    @extend_schema(
        responses={
            200: ProductChangeSerializer(many=True),
            401: COMMON_ERRORS[401],
            403: OpenApiResponse(description="Not a staff user."),
            404: OpenApiResponse(description="No product has had this id (or no such page)."),
            429: COMMON_ERRORS[429],
        },
        description="Every command recorded on a product, newest first: who (`username`; an API "
        "token's user), when, through which channel (`api`, `admin`, `bulk`, `inventory`, `import`, "
        "`system`) and each field's value before and after. A deleted product's history stays "
        "readable. Kept CATALOG_HISTORY_RETENTION_DAYS (365) days. Staff only.",
    )
    def get(self, request: Request, product_id: int) -> Response:
        return self.list(request)

    def get_queryset(self) -> Any:
        return history.product_changes(product_id=self.kwargs["product_id"])


# --- variants: one at a time, addressed by sku within their product ---------------------------------


class ProductChangePermissions(DjangoModelPermissions):
    """A variant is part of its product: adding, changing or removing one changes the product."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "POST": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.change_%(model_name)s"],
    }


VARIANT_ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 412],
    description='The product\'s new version, e.g. "4"; send it back in If-Match.',
)


def _variant_answer(variant: ProductVariant, *, created: bool = False) -> Response:
    return Response(
        VariantSerializer(variant).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        headers=etag(variant.product.version),
    )


class VariantCollectionCommand(APIView):
    queryset = Product.objects.none()
    permission_classes = [ProductChangePermissions]

    @extend_schema(
        request=VariantSerializer,
        parameters=[IF_MATCH, VARIANT_ETAG],
        responses={201: VariantSerializer, **ITEM_ERRORS},
        description="Add a variant to a product. If-Match and ETag carry the product's version.",
    )
    def post(self, request: Request, product_id: int) -> Response:
        serializer = VariantSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        variant = services.variant_create(
            product_id=product_id,
            fields=serializer.validated_data,
            expected_version=expected_version(request),
            origin=_api(request),
        )
        return _variant_answer(variant, created=True)


class VariantItemCommand(APIView):
    queryset = Product.objects.none()
    permission_classes = [ProductChangePermissions]

    @extend_schema(
        request=VariantSerializer,
        parameters=[IF_MATCH, VARIANT_ETAG],
        responses={200: VariantSerializer, **ITEM_ERRORS},
        description="Replace a variant; fields left out return to their defaults. The sku stays.",
    )
    def put(self, request: Request, product_id: int, sku: str) -> Response:
        return _update_variant(request, product_id, sku, partial=False)

    @extend_schema(
        request=VariantSerializer(partial=True),
        parameters=[IF_MATCH, VARIANT_ETAG],
        responses={200: VariantSerializer, **ITEM_ERRORS},
        description="Change some fields of a variant, e.g. its price or stock.",
    )
    def patch(self, request: Request, product_id: int, sku: str) -> Response:
        return _update_variant(request, product_id, sku, partial=True)

    @extend_schema(
        parameters=[IF_MATCH],
        responses={204: None, **ITEM_ERRORS},
        description="Remove a variant; a product keeps at least one (400 for the last).",
    )
    def delete(self, request: Request, product_id: int, sku: str) -> Response:
        services.variant_delete(
            product_id=product_id, sku=sku, expected_version=expected_version(request), origin=_api(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _update_variant(request: Request, product_id: int, sku: str, *, partial: bool) -> Response:
    version = expected_version(request)
    current = ProductVariant.objects.get(product_id=product_id, sku=sku)
    # The sku is in the URL; a body may repeat it, but not change it.
    data = {"sku": sku, **request.data} if isinstance(request.data, dict) else request.data
    serializer = VariantSerializer(current, data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    changes = serializer.validated_data
    if not partial:
        changes = {**services.variant_defaults(), **changes}
    if changes.get("sku", sku) != sku:
        raise ValidationError({"sku": ["A variant's sku cannot change; remove it and add another."]})
    variant = services.variant_update(
        product_id=product_id, sku=sku, changes=changes, expected_version=version, origin=_api(request)
    )
    return _variant_answer(variant)


# --- brands and categories: addressed by slug ---------------------------------------------------


def _create_by_slug(
    request: Request, serializer_class: type[ModelSerializer], create: Callable[..., Brand | Category]
) -> Response:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    created = create(**serializer.validated_data)
    return Response(
        serializer_class(created).data,
        status=status.HTTP_201_CREATED,
        headers={"Location": f"{request.path}{created.slug}/", **etag(created.version)},
    )


def _update_by_slug(
    request: Request,
    slug: str,
    serializer_class: type[ModelSerializer],
    update: Callable[..., Brand | Category],
    *,
    partial: bool,
    put_defaults: dict[str, Any],
) -> Response:
    """PUT replaces (fields left out take `put_defaults`), PATCH changes the fields it names."""
    version = expected_version(request)
    model: type[Brand] | type[Category] = serializer_class.Meta.model
    current = model.objects.get(slug=slug)
    serializer = serializer_class(current, data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    changes = serializer.validated_data if partial else {**put_defaults, **serializer.validated_data}
    updated = update(slug=slug, changes=changes, expected_version=version)
    return Response(serializer_class(updated).data, headers=etag(updated.version))


class AttributeCollectionCommand(APIView):
    """The attribute definitions: catalog configuration for staff, read from MySQL."""

    queryset = AttributeDefinition.objects.none()
    permission_classes = [CommandPermissions]

    @extend_schema(
        responses={200: AttributeDefinitionSerializer(many=True), **COMMON_ERRORS},
        description="Every attribute definition, by code.",
    )
    def get(self, request: Request) -> Response:
        definitions = AttributeDefinition.objects.prefetch_related("categories")
        return Response(AttributeDefinitionSerializer(definitions, many=True).data)

    @extend_schema(
        request=AttributeDefinitionSerializer,
        parameters=[IDEMPOTENCY_KEY, ETAG, LOCATION],
        responses={201: AttributeDefinitionSerializer, 422: KEY_REUSED, **COMMON_ERRORS},
        description="Define a typed attribute (text, enum with choices, number with unit, boolean), "
        "global or for categories. Products with values under its code are re-indexed; no "
        "index rebuild is needed.",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = AttributeDefinitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        definition = services.attribute_create(**serializer.validated_data)
        return Response(
            AttributeDefinitionSerializer(definition).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{definition.code}/", **etag(definition.version)},
        )


class AttributeItemCommand(APIView):
    queryset = AttributeDefinition.objects.none()
    permission_classes = [CommandPermissions]

    @extend_schema(
        request=AttributeDefinitionSerializer(partial=True),
        parameters=[IF_MATCH, ETAG],
        responses={200: AttributeDefinitionSerializer, **ITEM_ERRORS},
        description="Change an attribute definition (its code stays).",
    )
    def patch(self, request: Request, code: str) -> Response:
        current = AttributeDefinition.objects.get(code=code)
        serializer = AttributeDefinitionSerializer(current, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        definition = services.attribute_update(
            code=code, changes=serializer.validated_data, expected_version=expected_version(request)
        )
        return Response(AttributeDefinitionSerializer(definition).data, headers=etag(definition.version))

    @extend_schema(
        parameters=[IF_MATCH],
        responses={204: None, **ITEM_ERRORS},
        description="Remove a definition; the values under its code stay, as text attributes.",
    )
    def delete(self, request: Request, code: str) -> Response:
        services.attribute_delete(code=code, expected_version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class KeyedConfigurationCommands:
    """The collection and item endpoints of staff configuration addressed by `code` (synonym and
    merchandising rules): list and add; change and remove. Subclasses name the model's
    serializer and its three services."""

    serializer_class: type[ModelSerializer]
    create: Callable[..., Any]
    update: Callable[..., Any]
    remove: Callable[..., Any]

    @classmethod
    def views(
        cls, *, what: str, created: str, changed: str, removed: str
    ) -> tuple[type[APIView], type[APIView]]:
        serializer_class = cls.serializer_class
        model: type[SynonymRule] | type[MerchandisingRule] = serializer_class.Meta.model
        create, update, remove = cls.create, cls.update, cls.remove

        class Collection(APIView):
            queryset = model.objects.none()
            permission_classes = [CommandPermissions]

            @extend_schema(
                responses={200: serializer_class(many=True), **COMMON_ERRORS},
                description=f"Every {what}, by code.",
            )
            def get(self, request: Request) -> Response:
                return Response(serializer_class(model.objects.all(), many=True).data)

            @extend_schema(
                request=serializer_class,
                parameters=[IDEMPOTENCY_KEY, ETAG, LOCATION],
                responses={201: serializer_class, 422: KEY_REUSED, **COMMON_ERRORS},
                description=created,
            )
            @idempotent
            def post(self, request: Request) -> Response:
                serializer = serializer_class(data=request.data)
                serializer.is_valid(raise_exception=True)
                instance = create(**serializer.validated_data)
                return Response(
                    serializer_class(instance).data,
                    status=status.HTTP_201_CREATED,
                    headers={"Location": f"{request.path}{instance.code}/", **etag(instance.version)},
                )

        class Item(APIView):
            queryset = model.objects.none()
            permission_classes = [CommandPermissions]

            @extend_schema(
                request=serializer_class(partial=True),
                parameters=[IF_MATCH, ETAG],
                responses={200: serializer_class, **ITEM_ERRORS},
                description=changed,
            )
            def patch(self, request: Request, code: str) -> Response:
                serializer = serializer_class(model.objects.get(code=code), data=request.data, partial=True)
                serializer.is_valid(raise_exception=True)
                instance = update(
                    code=code, changes=serializer.validated_data, expected_version=expected_version(request)
                )
                return Response(serializer_class(instance).data, headers=etag(instance.version))

            @extend_schema(parameters=[IF_MATCH], responses={204: None, **ITEM_ERRORS}, description=removed)
            def delete(self, request: Request, code: str) -> Response:
                remove(code=code, expected_version=expected_version(request))
                return Response(status=status.HTTP_204_NO_CONTENT)

        Collection.__name__ = f"{model.__name__}CollectionCommand"
        Item.__name__ = f"{model.__name__}ItemCommand"
        return Collection, Item


class SynonymCommands(KeyedConfigurationCommands):
    serializer_class = SynonymRuleSerializer
    create = staticmethod(services.synonym_create)
    update = staticmethod(services.synonym_update)
    remove = staticmethod(services.synonym_delete)


SynonymCollectionCommand, SynonymItemCommand = SynonymCommands.views(
    what="synonym rule",
    created="Add a synonym rule: `tv, television` or `laptop => notebook`. Searches use it within "
    "seconds; nothing is reindexed. A malformed rule is a 400 saying what is wrong.",
    changed="Change a synonym rule (or its code).",
    removed="Remove a synonym rule; searches stop using it within seconds.",
)


class MerchandisingCommands(KeyedConfigurationCommands):
    serializer_class = MerchandisingRuleSerializer
    create = staticmethod(services.merchandising_create)
    update = staticmethod(services.merchandising_update)
    remove = staticmethod(services.merchandising_delete)


MerchandisingCollectionCommand, MerchandisingItemCommand = MerchandisingCommands.views(
    what="merchandising rule",
    created="Pin products to the top of a query's results, in order, and hide others; `match` "
    "`exact` (the whole query) or `contains` (its words); optional `starts_at`/`ends_at`. "
    "Searches follow it within seconds; pins respect the search's filters and never show "
    "inactive products.",
    changed="Change a merchandising rule.",
    removed="Remove a merchandising rule; searches stop following it within seconds.",
)


class BrandCollectionCommand(APIView):
    queryset = Brand.objects.none()
    permission_classes = [CommandPermissions]

    @extend_schema(
        request=BrandSerializer,
        parameters=[IDEMPOTENCY_KEY, ETAG, LOCATION],
        responses={201: BrandSerializer, 422: KEY_REUSED, **COMMON_ERRORS},
        description="Create a brand; the slug is derived from the name when left out.",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        return _create_by_slug(request, BrandSerializer, services.brand_create)


class BrandItemCommand(APIView):
    queryset = Brand.objects.none()
    permission_classes = [CommandPermissions]

    @extend_schema(
        request=BrandSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: BrandSerializer, **ITEM_ERRORS},
        description="Replace a brand; its products are re-indexed with the new name.",
    )
    def put(self, request: Request, slug: str) -> Response:
        return _update_by_slug(
            request, slug, BrandSerializer, services.brand_update, partial=False, put_defaults={}
        )

    @extend_schema(
        request=BrandSerializer(partial=True),
        parameters=[IF_MATCH, ETAG],
        responses={200: BrandSerializer, **ITEM_ERRORS},
        description="Change some fields of a brand.",
    )
    def patch(self, request: Request, slug: str) -> Response:
        return _update_by_slug(
            request, slug, BrandSerializer, services.brand_update, partial=True, put_defaults={}
        )

    @extend_schema(
        parameters=[IF_MATCH],
        responses={204: None, 409: OpenApiResponse(description="Products still use it."), **ITEM_ERRORS},
    )
    def delete(self, request: Request, slug: str) -> Response:
        services.brand_delete(slug=slug, expected_version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CategoryCollectionCommand(APIView):
    queryset = Category.objects.none()
    permission_classes = [CommandPermissions]

    @extend_schema(
        request=CategorySerializer,
        parameters=[IDEMPOTENCY_KEY, ETAG, LOCATION],
        responses={201: CategorySerializer, 422: KEY_REUSED, **COMMON_ERRORS},
        description="Create a category, at the top of the tree or below `parent`.",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        return _create_by_slug(request, CategorySerializer, services.category_create)


class CategoryItemCommand(APIView):
    queryset = Category.objects.none()
    permission_classes = [CommandPermissions]
    # A PUT that leaves out the parent moves the category to the top of the tree.
    put_defaults = {"parent": None}

    @extend_schema(
        request=CategorySerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: CategorySerializer, **ITEM_ERRORS},
        description="Replace a category; the products below it are re-indexed with its new name and path.",
    )
    def put(self, request: Request, slug: str) -> Response:
        return _update_by_slug(
            request,
            slug,
            CategorySerializer,
            services.category_update,
            partial=False,
            put_defaults=self.put_defaults,
        )

    @extend_schema(
        request=CategorySerializer(partial=True),
        parameters=[IF_MATCH, ETAG],
        responses={200: CategorySerializer, **ITEM_ERRORS},
        description="Change some fields of a category (e.g. move it with `parent`).",
    )
    def patch(self, request: Request, slug: str) -> Response:
        return _update_by_slug(
            request,
            slug,
            CategorySerializer,
            services.category_update,
            partial=True,
            put_defaults=self.put_defaults,
        )

    @extend_schema(
        parameters=[IF_MATCH],
        responses={
            204: None,
            409: OpenApiResponse(description="Products or child categories use it."),
            **ITEM_ERRORS,
        },
    )
    def delete(self, request: Request, slug: str) -> Response:
        services.category_delete(slug=slug, expected_version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- bulk commands: many products per request -------------------------------------------------------


class BulkPermissions(BasePermission):
    """A bulk request needs a signed-in user holding one product command permission at least;
    each operation is then held to the permission of its kind (serializers.OPERATION_PERMISSIONS)
    and answered 403 alone without it."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated) and any(
            user.has_perm(name) for names in OPERATION_PERMISSIONS.values() for name in names
        )


BULK_IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    IDEMPOTENCY_KEY_SCHEMA,
    OpenApiParameter.HEADER,
    description="For the whole request. A retry with the same key and body gets the same answer "
    "and writes nothing twice, also after an interruption: the items committed before it are "
    "answered as they were, the others are run. The same key with another body gets 422.",
)
BULK_ERRORS = {
    **COMMON_ERRORS,
    400: OpenApiResponse(
        description="The body is not a list of operations (a JSON line that is no JSON is named by "
        "its number)."
    ),
    413: OpenApiResponse(
        description="More operations than CATALOG_BULK_MAX_OPERATIONS (1,000 by default), or the body "
        "is over the upload limit."
    ),
    415: OpenApiResponse(description="The body is neither JSON nor JSON lines."),
}


def _bulk_answer(results: list[dict[str, Any]]) -> Response:
    answer = {"errors": any(item["status"] >= 400 for item in results), "items": results}
    return Response(BulkAnswerSerializer(answer).data)


class ProductBulkCommand(APIView):
    queryset = Product.objects.none()
    permission_classes = [BulkPermissions]

    @extend_schema(
        request={
            "application/json": BulkOperationSerializer(many=True),
            "application/x-ndjson": BulkOperationSerializer,
        },
        parameters=[BULK_IDEMPOTENCY_KEY],
        responses={200: BulkAnswerSerializer, 422: KEY_REUSED, **BULK_ERRORS},
        description="Create, update, upsert (by sku) and delete many products in one request: a JSON "
        "array, or JSON lines (`Content-Type: application/x-ndjson`, one operation per line). Each "
        "operation is answered on its own, in order, with the status it would have had alone; one "
        "that is refused changes nothing and the others go on. An update that changes nothing "
        "answers `noop` and keeps the version. One operation per product per request.",
    )
    @idempotent_in_chunks
    def post(self, request: Request, *, done: list[dict[str, Any]], checkpoint: Any) -> Response:
        serializer = ProductBulkSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        results = services.products_bulk(
            operations=serializer.validated_data,
            origin=history.Origin.of(request.user, channel=history.Channel.BULK),
            done=done,
            checkpoint=checkpoint,
        )
        return _bulk_answer(results)


class InventoryBulkCommand(APIView):
    queryset = Product.objects.none()
    permission_classes = [ProductChangePermissions]

    @extend_schema(
        request={
            "application/json": InventoryChangeSerializer(many=True),
            "application/x-ndjson": InventoryChangeSerializer,
        },
        parameters=[BULK_IDEMPOTENCY_KEY],
        responses={200: BulkAnswerSerializer, 422: KEY_REUSED, **BULK_ERRORS},
        description="Set the price, compare-at price and/or stock of many variants, named by sku "
        "(the fields an item leaves out keep their values): the cheapest way to change them. Each "
        "item is answered with its product's id and new version; a product moves to one new "
        "version for all its variants changed in a chunk. Needs catalog.change_product.",
    )
    @idempotent_in_chunks
    def post(self, request: Request, *, done: list[dict[str, Any]], checkpoint: Any) -> Response:
        serializer = InventoryBulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = services.inventory_update(
            changes=serializer.validated_data,
            origin=history.Origin.of(request.user, channel=history.Channel.INVENTORY),
            done=done,
            checkpoint=checkpoint,
        )
        return _bulk_answer(results)


# --- feed imports, run by a worker ------------------------------------------------------------------


class ImportPermissions(DjangoModelPermissions):
    """An import upserts products: it needs catalog.add_product and catalog.change_product, to
    start one and to read one (a user reads only the imports they started)."""

    perms_map = {
        method: ["%(app_label)s.add_%(model_name)s", "%(app_label)s.change_%(model_name)s"]
        for method in ("GET", "HEAD", "OPTIONS", "POST")
    }


class ImportCollectionCommand(APIView):
    queryset = Product.objects.none()
    permission_classes = [ImportPermissions]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={202: ImportJobSerializer, **COMMON_ERRORS},
        description="Upload a feed (CSV or JSON lines, upserted by sku as `manage.py import_products` "
        "does); a worker imports it. Answers 202 with the job, whose URL (Location) shows its "
        "progress and, once done, its counts and report.",
    )
    def post(self, request: Request) -> Response:
        serializer = ImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        job = imports.import_job_create(
            user_id=signed_in_user_id(request),
            filename=upload.name,
            content=upload.read(),
            create_missing=serializer.validated_data["create_missing"],
            dry_run=serializer.validated_data["dry_run"],
        )
        return Response(
            ImportJobSerializer(job).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": f"/api/imports/{job.pk}/"},
        )


class ImportItemQuery(APIView):
    queryset = Product.objects.none()
    permission_classes = [ImportPermissions]

    @extend_schema(responses={200: ImportJobSerializer, **ITEM_ERRORS}, description="An import's progress.")
    def get(self, request: Request, job_id: int) -> Response:
        job = ImportJob.objects.defer("content").get(pk=job_id, user_id=signed_in_user_id(request))
        return Response(ImportJobSerializer(job).data)


class ImportReportQuery(APIView):
    queryset = Product.objects.none()
    permission_classes = [ImportPermissions]

    @extend_schema(
        responses={
            200: OpenApiResponse(
                description="The summary: rows, created, updated, unchanged, rejected, and `rejections`, "
                "each rejected row with its line, sku and reasons."
            ),
            409: OpenApiResponse(description="The import has not finished."),
            **ITEM_ERRORS,
        },
        description="An import's report, once it is done.",
    )
    def get(self, request: Request, job_id: int) -> Response:
        job = ImportJob.objects.defer("content").get(pk=job_id, user_id=signed_in_user_id(request))
        if job.report is None:
            return Response(
                {
                    "detail": f"The import is {job.state}; its report comes when it is done.",
                    "code": "not_done",
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(job.report)
