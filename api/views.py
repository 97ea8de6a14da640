"""The product resources, whose URLs serve queries (read side) and commands (write side).

Each view names, method by method, the query or command that answers it; the OpenAPI details
sit on those methods in `search.api.views` and `catalog.api.views`. Reading is open to all,
changing needs the model permission.
"""

from rest_framework.permissions import DjangoModelPermissionsOrAnonReadOnly
from rest_framework.views import APIView

from catalog.api.views import ProductCreateCommand, ProductItemCommand
from catalog.models import Product
from search.api.views import ProductDetailQuery, ProductListQuery


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
