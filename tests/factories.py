"""Factories for the write model, all in one place. They go through the services, as every
real write does, so versions and the outbox behave as in production."""

from decimal import Decimal
from itertools import count
from typing import Any

from django.contrib.auth.models import Permission, User

from catalog import services
from catalog.models import Brand, Category, Product

_numbers = count(1)


def brand(name: str | None = None, **kwargs: Any) -> Brand:
    return services.brand_create(name=name or f"Brand {next(_numbers)}", **kwargs)


def category(name: str | None = None, parent: Category | None = None, **kwargs: Any) -> Category:
    return services.category_create(name=name or f"Category {next(_numbers)}", parent=parent, **kwargs)


def product(**overrides: Any) -> Product:
    number = next(_numbers)
    fields: dict[str, Any] = {
        "sku": f"SKU-{number:06d}",
        "name": f"Test Product {number}",
        "description": "A product made for tests.",
        "price": Decimal("19.99"),
        "stock": 5,
        **overrides,
    }
    if "category" not in fields:
        fields["category"] = category()
    return services.product_create(**fields)


def workload_catalog() -> None:
    """The brands and categories the fault suites' random workloads draw from: 4 brands, 4
    departments with 16 aisles under them."""
    for name in ("Acme", "Globex", "Initech", "Umbrella"):
        brand(name)
    roots = [category(f"Department {n}") for n in range(4)]
    for n in range(16):
        category(f"Aisle {n}", parent=roots[n % 4])


def user(*permissions: str, username: str | None = None) -> User:
    """A user holding the given `app.codename` permissions."""
    account = User.objects.create_user(
        username=username or f"user{next(_numbers)}", password="secret-pass-123"
    )
    for permission in permissions:
        app_label, codename = permission.split(".")
        account.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return User.objects.get(pk=account.pk)  # fresh instance: no stale permission cache


CATALOG_PERMISSIONS = tuple(
    f"catalog.{action}_{model}"
    for model in ("product", "brand", "category", "attributedefinition", "synonymrule", "merchandisingrule")
    for action in ("add", "change", "delete")
)
