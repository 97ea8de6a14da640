"""Write-side commands: the only way products, brands and categories change.

The REST API and the Django admin both call these functions, so validation, versions and the
projection behave the same whichever way a change comes in. Every command runs in one
transaction; the outbox rows written by the signal receivers commit or roll back with it.
"""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from .exceptions import StillInUse, VersionMismatch
from .models import Brand, Category, IdempotencyRecord, Product
from .validators import MAX_CATEGORY_DEPTH

Versioned = TypeVar("Versioned", Brand, Category, Product)

# The fields a command may set, in the order the API and the admin show them.
PRODUCT_FIELDS = (
    "sku",
    "name",
    "description",
    "brand",
    "category",
    "price",
    "currency",
    "stock",
    "tags",
    "attributes",
    "is_active",
)
BRAND_FIELDS = ("name", "slug")
CATEGORY_FIELDS = ("name", "slug", "parent")


# --- products -------------------------------------------------------------------------------


def product_create(
    *,
    sku: str,
    name: str,
    category: Category,
    price: Decimal,
    description: str = "",
    brand: Brand | None = None,
    currency: str = "USD",
    stock: int = 0,
    tags: list[str] | None = None,
    attributes: dict[str, str] | None = None,
    is_active: bool = True,
) -> Product:
    product = Product(
        sku=sku,
        name=name,
        description=description,
        brand=brand,
        category=category,
        price=price,
        currency=currency,
        stock=stock,
        tags=tags if tags is not None else [],
        attributes=attributes if attributes is not None else {},
        is_active=is_active,
    )
    with transaction.atomic():
        _save_validated(product)
    return product


def product_update(
    *, product_id: int, changes: dict[str, Any], expected_version: int | None = None
) -> Product:
    return _update(Product.objects.filter(pk=product_id), changes, PRODUCT_FIELDS, expected_version)


def product_delete(*, product_id: int, expected_version: int | None = None) -> None:
    with transaction.atomic():
        _lock(Product.objects.filter(pk=product_id), expected_version).delete()


# --- brands -----------------------------------------------------------------------------------


def brand_create(*, name: str, slug: str | None = None) -> Brand:
    brand = Brand(name=name, slug=slug or _unique_slug(Brand, name))
    with transaction.atomic():
        _save_validated(brand)
    return brand


def brand_update(*, slug: str, changes: dict[str, Any], expected_version: int | None = None) -> Brand:
    return _update(Brand.objects.filter(slug=slug), changes, BRAND_FIELDS, expected_version)


def brand_delete(*, slug: str, expected_version: int | None = None) -> None:
    with transaction.atomic():
        brand = _lock(Brand.objects.filter(slug=slug), expected_version)
        in_use = brand.products.count()
        if in_use:
            raise StillInUse(f"{in_use} product(s) still use brand '{slug}'.")
        brand.delete()


# --- categories -----------------------------------------------------------------------------


def category_create(*, name: str, slug: str | None = None, parent: Category | None = None) -> Category:
    category = Category(name=name, slug=slug or _unique_slug(Category, name), parent=parent)
    with transaction.atomic():
        _check_tree_position(category)
        _save_validated(category)
    return category


def category_update(*, slug: str, changes: dict[str, Any], expected_version: int | None = None) -> Category:
    return _update(
        Category.objects.filter(slug=slug), changes, CATEGORY_FIELDS, expected_version, _check_tree_position
    )


def category_delete(*, slug: str, expected_version: int | None = None) -> None:
    with transaction.atomic():
        category = _lock(Category.objects.filter(slug=slug), expected_version)
        products, children = category.products.count(), category.children.count()
        if products or children:
            raise StillInUse(
                f"Category '{slug}' is still used by {products} product(s) "
                f"and {children} child categor{'y' if children == 1 else 'ies'}."
            )
        category.delete()


# --- upkeep -----------------------------------------------------------------------------------

# Clients may retry for 24 hours; records are kept twice that long.
IDEMPOTENCY_RETENTION = timedelta(hours=48)


def idempotency_records_purge(*, older_than: timedelta = IDEMPOTENCY_RETENTION) -> int:
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


# --- shared rules -----------------------------------------------------------------------------


def _update(
    queryset: models.QuerySet[Versioned],
    changes: dict[str, Any],
    allowed: tuple[str, ...],
    expected_version: int | None,
    check: Callable[[Versioned], None] | None = None,
) -> Versioned:
    """Apply `changes` to the locked row, bump its version by one, validate and save."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError({field: ["Unknown field."] for field in unknown})
    with transaction.atomic():
        instance = _lock(queryset, expected_version)
        for field, value in changes.items():
            setattr(instance, field, value)
        instance.version += 1
        if check is not None:
            check(instance)
        _save_validated(instance)
    return instance


def _lock(queryset: models.QuerySet[Versioned], expected_version: int | None) -> Versioned:
    """Lock the target row for the rest of the transaction and check the caller's If-Match."""
    instance = queryset.select_for_update().get()
    if expected_version is not None and instance.version != expected_version:
        raise VersionMismatch(current_version=instance.version)
    return instance


def _save_validated(instance: models.Model) -> None:
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        # Two writers raced past full_clean() with the same unique value; the loser gets the
        # same 400 it would have had one moment later.
        instance.validate_unique()
        raise


def _unique_slug(model: type[Brand] | type[Category], name: str) -> str:
    base = slugify(name)[:90]
    if not base:
        raise ValidationError({"slug": ["Cannot be derived from this name; give one."]})
    slug, suffix = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def _check_tree_position(category: Category) -> None:
    """No cycles, and no branch deeper than MAX_CATEGORY_DEPTH levels."""
    parent_of = dict(Category.objects.values_list("pk", "parent_id"))
    if category.pk is not None:
        parent_of[category.pk] = category.parent_id
    depth, node, seen = 1, category.parent_id, {category.pk}
    while node is not None:
        if node in seen:
            raise ValidationError({"parent": ["A category cannot be placed below itself."]})
        seen.add(node)
        depth += 1
        node = parent_of.get(node)
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in parent_of.items():
        children.setdefault(parent_id, []).append(pk)

    def height(pk: int | None) -> int:
        return 1 + max((height(child) for child in children.get(pk, [])), default=0)

    if category.pk is not None:
        depth += height(category.pk) - 1
    if depth > MAX_CATEGORY_DEPTH:
        raise ValidationError(
            {"parent": [f"The category tree may be at most {MAX_CATEGORY_DEPTH} levels deep."]}
        )
