"""Command endpoints (POST, PUT, PATCH, DELETE) of products, brands and categories.

Each handler validates the body with a serializer, calls one service and answers with the
write model's state; none waits for Elasticsearch. The query endpoints for products live in
`search.api.views` and share the product URLs (see `config.urls`).
"""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import ModelSerializer
from rest_framework.views import APIView

from catalog import services
from catalog.models import Brand, Category, Product

from .http import etag, expected_version, idempotent
from .serializers import BrandSerializer, CategorySerializer, ProductSerializer

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='Expected version as an ETag, e.g. "3". A stale version gets 412 and changes nothing.',
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Retries with the same key and body get the first answer again (kept 24 h+); "
    "the same key with another body gets 422.",
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
    415: OpenApiResponse(description="The body is not JSON."),
    429: OpenApiResponse(description="Throttled; see Retry-After."),
}
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
        responses={201: ProductSerializer, 422: OpenApiResponse(description="Key reused."), **COMMON_ERRORS},
        description="Create a product. Answers with Location and ETag headers.",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = ProductSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_create(**serializer.validated_data)
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
        return self._update(request, product_id, partial=False)

    @extend_schema(
        request=ProductSerializer(partial=True),
        parameters=[IF_MATCH, ETAG],
        responses={200: ProductSerializer, **ITEM_ERRORS},
        description="Change some fields of a product.",
    )
    def patch(self, request: Request, product_id: int) -> Response:
        return self._update(request, product_id, partial=True)

    @extend_schema(parameters=[IF_MATCH, ETAG], responses={204: None, **ITEM_ERRORS})
    def delete(self, request: Request, product_id: int) -> Response:
        services.product_delete(product_id=product_id, expected_version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, product_id: int, *, partial: bool) -> Response:
        version = expected_version(request)
        current = Product.objects.get(pk=product_id)
        serializer = ProductSerializer(current, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = (
            serializer.validated_data
            if partial
            else {**services.product_defaults(), **serializer.validated_data}
        )
        product = services.product_update(product_id=product_id, changes=changes, expected_version=version)
        return Response(ProductSerializer(product).data, headers=etag(product.version))


def _create_schema(serializer: type[ModelSerializer]):
    return extend_schema(
        request=serializer,
        parameters=[IDEMPOTENCY_KEY, ETAG, LOCATION],
        responses={201: serializer, 422: OpenApiResponse(description="Key reused."), **COMMON_ERRORS},
    )


def _item_schemas(serializer: type[ModelSerializer], *, in_use: str) -> dict[str, Any]:
    changed = {200: serializer, **ITEM_ERRORS}
    return {
        "put": extend_schema(request=serializer, parameters=[IF_MATCH, ETAG], responses=changed),
        "patch": extend_schema(
            request=serializer(partial=True), parameters=[IF_MATCH, ETAG], responses=changed
        ),
        "delete": extend_schema(
            parameters=[IF_MATCH],
            responses={204: None, 409: OpenApiResponse(description=in_use), **ITEM_ERRORS},
        ),
    }


class SlugCollectionCommand(APIView):
    """POST for the resources addressed by slug (brands and categories)."""

    permission_classes = [CommandPermissions]
    serializer_class: type[ModelSerializer]
    collection_url: str

    @staticmethod
    def create(**fields: Any) -> Brand | Category:
        raise NotImplementedError

    @idempotent
    def post(self, request: Request) -> Response:
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = self.create(**serializer.validated_data)
        return Response(
            self.serializer_class(created).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{self.collection_url}{created.slug}/", **etag(created.version)},
        )


class SlugItemCommand(APIView):
    """PUT, PATCH and DELETE of one brand or category."""

    permission_classes = [CommandPermissions]
    serializer_class: type[ModelSerializer]
    # Fields a PUT resets when the body leaves them out (a full replacement).
    put_defaults: dict[str, Any] = {}

    @staticmethod
    def update(*, slug: str, changes: dict[str, Any], expected_version: int | None) -> Brand | Category:
        raise NotImplementedError

    @staticmethod
    def remove(*, slug: str, expected_version: int | None) -> None:
        raise NotImplementedError

    def put(self, request: Request, slug: str) -> Response:
        return self._update(request, slug, partial=False)

    def patch(self, request: Request, slug: str) -> Response:
        return self._update(request, slug, partial=True)

    def delete(self, request: Request, slug: str) -> Response:
        self.remove(slug=slug, expected_version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, slug: str, *, partial: bool) -> Response:
        version = expected_version(request)
        current = self.queryset.model.objects.get(slug=slug)
        serializer = self.serializer_class(current, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = serializer.validated_data if partial else {**self.put_defaults, **serializer.validated_data}
        updated = self.update(slug=slug, changes=changes, expected_version=version)
        return Response(self.serializer_class(updated).data, headers=etag(updated.version))


@extend_schema_view(post=_create_schema(BrandSerializer))
class BrandCreateCommand(SlugCollectionCommand):
    queryset = Brand.objects.none()
    serializer_class = BrandSerializer
    collection_url = "/api/brands/"
    create = staticmethod(services.brand_create)


@extend_schema_view(**_item_schemas(BrandSerializer, in_use="Products still use it."))
class BrandItemCommand(SlugItemCommand):
    queryset = Brand.objects.none()
    serializer_class = BrandSerializer
    update = staticmethod(services.brand_update)
    remove = staticmethod(services.brand_delete)


@extend_schema_view(post=_create_schema(CategorySerializer))
class CategoryCreateCommand(SlugCollectionCommand):
    queryset = Category.objects.none()
    serializer_class = CategorySerializer
    collection_url = "/api/categories/"
    create = staticmethod(services.category_create)


@extend_schema_view(**_item_schemas(CategorySerializer, in_use="Products or child categories use it."))
class CategoryItemCommand(SlugItemCommand):
    queryset = Category.objects.none()
    serializer_class = CategorySerializer
    put_defaults = {"parent": None}
    update = staticmethod(services.category_update)
    remove = staticmethod(services.category_delete)
