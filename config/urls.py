"""URL map of the whole service: the storefront, the API (commands and queries), the admin, probes
and metrics."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.auth import AdminLoginForm, TokenView
from api.health import healthz, readyz
from api.metrics_access import metrics_access
from api.root import ApiRootView
from api.views import (
    BrandCollectionView,
    CategoryCollectionView,
    InventoryBulkView,
    ProductBulkView,
    ProductCollectionView,
    ProductItemView,
)
from catalog.api.views import (
    AttributeCollectionCommand,
    AttributeItemCommand,
    BrandItemCommand,
    CategoryItemCommand,
    ImportCollectionCommand,
    ImportItemQuery,
    ImportReportQuery,
    MerchandisingCollectionCommand,
    MerchandisingItemCommand,
    ProductHistoryQuery,
    SynonymCollectionCommand,
    SynonymItemCommand,
    VariantCollectionCommand,
    VariantItemCommand,
)
from projection.views import metrics_view
from search.api.views import ProductSearchQuery, ProductSuggestQuery
from search.preview import search_preview

# Admin sign-ins are throttled as the token endpoint's are.
admin.site.login_form = AdminLoginForm
# The admin's home links to the search tools (preview, analytics).
admin.site.index_template = "search/admin_index.html"

urlpatterns = [
    path("", include("storefront.urls")),
    path("healthz", healthz),
    path("readyz", readyz),
    path("metrics", metrics_access(metrics_view)),
    path("admin/search-preview/", admin.site.admin_view(search_preview), name="search-preview"),
    path("admin/", admin.site.urls),
    path("api/", ApiRootView.as_view(), name="api-root"),
    path("api/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/products/", ProductCollectionView.as_view(), name="product-collection"),
    path("api/products/bulk/", ProductBulkView.as_view(), name="product-bulk"),
    path("api/products/inventory/", InventoryBulkView.as_view(), name="product-inventory"),
    path("api/products/search/", ProductSearchQuery.as_view(), name="product-search"),
    path("api/products/suggest/", ProductSuggestQuery.as_view(), name="product-suggest"),
    path("api/products/<int:product_id>/", ProductItemView.as_view(), name="product-item"),
    path("api/products/<int:product_id>/history/", ProductHistoryQuery.as_view(), name="product-history"),
    path(
        "api/products/<int:product_id>/variants/",
        VariantCollectionCommand.as_view(),
        name="variant-collection",
    ),
    path(
        "api/products/<int:product_id>/variants/<str:sku>/",
        VariantItemCommand.as_view(),
        name="variant-item",
    ),
    path("api/attributes/", AttributeCollectionCommand.as_view(), name="attribute-collection"),
    path("api/attributes/<slug:code>/", AttributeItemCommand.as_view(), name="attribute-item"),
    path("api/synonyms/", SynonymCollectionCommand.as_view(), name="synonym-collection"),
    path("api/synonyms/<slug:code>/", SynonymItemCommand.as_view(), name="synonym-item"),
    path("api/merchandising/", MerchandisingCollectionCommand.as_view(), name="merchandising-collection"),
    path("api/merchandising/<slug:code>/", MerchandisingItemCommand.as_view(), name="merchandising-item"),
    path("api/imports/", ImportCollectionCommand.as_view(), name="import-collection"),
    path("api/imports/<int:job_id>/", ImportItemQuery.as_view(), name="import-item"),
    path("api/imports/<int:job_id>/report/", ImportReportQuery.as_view(), name="import-report"),
    path("api/brands/", BrandCollectionView.as_view(), name="brand-collection"),
    path("api/brands/<slug:slug>/", BrandItemCommand.as_view(), name="brand-item"),
    path("api/categories/", CategoryCollectionView.as_view(), name="category-collection"),
    path("api/categories/<slug:slug>/", CategoryItemCommand.as_view(), name="category-item"),
]
