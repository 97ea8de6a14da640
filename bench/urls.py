"""The project's URLs plus the plain-MySQL peer endpoints under /bench/icontains/ and the plain
Django gets of the process-model section under /bench/plain/ and /bench/async/."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

from .peer import async_views, views

urlpatterns = [
    *project_urlpatterns,
    path("bench/icontains/", views.IcontainsSearch.as_view()),
    path("bench/icontains/list/", views.IcontainsList.as_view()),
    path("bench/icontains/suggest/", views.IcontainsSuggest.as_view()),
    path("bench/icontains/<int:pk>/", views.IcontainsDetail.as_view()),
    path("bench/plain/products/<int:pk>/", async_views.sync_product),
    path("bench/async/products/<int:pk>/", async_views.async_product),
]
