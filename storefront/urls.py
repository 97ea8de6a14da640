"""The storefront's pages: search at the site's root, and one page per product; and the site's
icon at /favicon.ico, where browsers look for it on pages that name none (the admin's)."""

from django.urls import path

from . import views

app_name = "storefront"

urlpatterns = [
    path("", views.SearchPage.as_view(), name="search"),
    path("products/<int:product_id>/", views.ProductPage.as_view(), name="product"),
    path("favicon.ico", views.favicon),
]
