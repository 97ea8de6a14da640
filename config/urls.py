"""URL map. The product URLs are shared by commands (write side, `catalog.api`) and queries
(read side, `search.api`): each URL's view class combines the two halves by HTTP method."""

from django.contrib import admin
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.permissions import DjangoModelPermissionsOrAnonReadOnly

from api.health import healthz, readyz
from catalog.api.views import (
    BrandCreateCommand,
    BrandItemCommand,
    CategoryCreateCommand,
    CategoryItemCommand,
    ProductCreateCommand,
    ProductItemCommand,
)
from projection.views import metrics_view
from search.api.views import (
    ProductDetailQuery,
    ProductListQuery,
    ProductSearchQuery,
    ProductSuggestQuery,
)


class ProductCollectionView(ProductListQuery, ProductCreateCommand):
    permission_classes = [DjangoModelPermissionsOrAnonReadOnly]


class ProductItemView(ProductDetailQuery, ProductItemCommand):
    permission_classes = [DjangoModelPermissionsOrAnonReadOnly]


urlpatterns = [
    path("healthz", healthz),
    path("readyz", readyz),
    path("metrics", metrics_view),
    path("admin/", admin.site.urls),
    path("api/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/products/", ProductCollectionView.as_view(), name="product-collection"),
    path("api/products/search/", ProductSearchQuery.as_view(), name="product-search"),
    path("api/products/suggest/", ProductSuggestQuery.as_view(), name="product-suggest"),
    path("api/products/<int:product_id>/", ProductItemView.as_view(), name="product-item"),
    path("api/brands/", BrandCreateCommand.as_view(), name="brand-collection"),
    path("api/brands/<slug:slug>/", BrandItemCommand.as_view(), name="brand-item"),
    path("api/categories/", CategoryCreateCommand.as_view(), name="category-collection"),
    path("api/categories/<slug:slug>/", CategoryItemCommand.as_view(), name="category-item"),
]
