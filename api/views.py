"""The resources whose URLs serve queries (read side) and commands (write side): products, and
the brand and category collections.

Each view names, method by method, the query or command that answers it; the OpenAPI details
sit on those methods in `search.api.views` and `catalog.api.views`. Reading is open to all,
changing needs the model permission.
"""

from rest_framework.permissions import DjangoModelPermissionsOrAnonReadOnly
from rest_framework.views import APIView

from api.parsers import JSONLinesParser, JSONParser
from catalog.api.views import (
    BrandCollectionCommand,
    CategoryCollectionCommand,
    InventoryBulkCommand,
    ProductBulkCommand,
    ProductCreateCommand,
    ProductItemCommand,
)
from catalog.models import Brand, Category, Product
from search.api.views import BrandListQuery, CategoryTreeQuery, ProductDetailQuery, ProductListQuery


class ProductCollectionView(APIView):
    """`/api/products/`: GET lists products from Elasticsearch, POST creates one in MySQL."""

    queryset = Product.objects.none()  # the model whose add permission POST needs
    permission_classes = [DjangoModelPermissionsOrAnonReadOnly]

    get = ProductListQuery.get
    post = ProductCreateCommand.post


class ProductItemView(APIView):
    """`/api/products/<id>/`: GET reads one product from Elasticsearch; PUT, PATCH and DELETE
    change it in MySQL."""

    queryset = Product.objects.none()
    permission_classes = [DjangoModelPermissionsOrAnonReadOnly]

    get = ProductDetailQuery.get
    put = ProductItemCommand.put
    patch = ProductItemCommand.patch
    delete = ProductItemCommand.delete


class ProductBulkView(ProductBulkCommand):
    """`/api/products/bulk/`: many product commands in one request, as a JSON array or JSON lines."""

    parser_classes = [JSONParser, JSONLinesParser]


class InventoryBulkView(InventoryBulkCommand):
    """`/api/products/inventory/`: price and stock of many variants, as a JSON array or JSON lines."""

    parser_classes = [JSONParser, JSONLinesParser]


class BrandCollectionView(APIView):
    """`/api/brands/`: GET lists the brands of active products from Elasticsearch, POST creates
    a brand in MySQL."""

    queryset = Brand.objects.none()
    permission_classes = [DjangoModelPermissionsOrAnonReadOnly]

    get = BrandListQuery.get
    post = BrandCollectionCommand.post


class CategoryCollectionView(APIView):
    """`/api/categories/`: GET reads the tree of categories with active products from
    Elasticsearch, POST creates a category in MySQL."""

    queryset = Category.objects.none()
    permission_classes = [DjangoModelPermissionsOrAnonReadOnly]

    get = CategoryTreeQuery.get
    post = CategoryCollectionCommand.post
