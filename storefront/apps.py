"""App config for the storefront: the search page and the product page shoppers see."""

from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "storefront"
    verbose_name = "Storefront"
