"""App config for the write side: brands, categories, products and the commands that change them."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"
