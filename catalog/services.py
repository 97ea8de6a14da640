"""Write-side commands: the only way products, brands and categories change.

The REST API and the Django admin both call these functions, so validation, versions and the
projection behave the same whichever way a change comes in. Every command runs in one
transaction and records its side effects in it explicitly: the new versions of the products it
touched, announced to the read side by `catalog.versions`, commit or roll back with the change.
"""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from . import versions
from .exceptions import StillInUse, VersionMismatch
from .models import Brand, Category, IdempotencyRecord, Product, ProductTombstone
from .validators import MAX_CATEGORY_DEPTH

Versioned = TypeVar("Versioned", Brand, Category, Product)

# The fields a command may set, in the order the API and the admin show them: every field of
# the model that is not bookkeeping (id, version, timestamps).
PRODUCT_FIELDS = tuple(
    field.name
    for field in Product._meta.concrete_fields
    if field.editable and not field.primary_key and field.name != "version"
)
BRAND_FIELDS = ("name", "slug")
CATEGORY_FIELDS = ("name", "slug", "parent")


# --- products -------------------------------------------------------------------------------


def product_defaults() -> dict[str, Any]:
    """What the optional product fields hold when a command leaves them out: the model's
    defaults (a PUT, a full replacement, resets the fields it leaves out to these)."""
    return {
        field.name: field.get_default()
        for field in Product._meta.concrete_fields
        if field.name in PRODUCT_FIELDS and (field.has_default() or field.null)
    }


def product_create(*, sku: str, name: str, category: Category, price: Decimal, **optional: Any) -> Product:
    """Create a product; the optional fields (PRODUCT_FIELDS) left out take the model's defaults."""
    _reject_unknown(optional, PRODUCT_FIELDS)
    product = Product(sku=sku, name=name, category=category, price=price, **optional)
    with transaction.atomic():
        _save_validated(product)
        versions.announce(Product.objects.filter(pk=product.pk))
    return product


def product_update(
    *, product_id: int, changes: dict[str, Any], expected_version: int | None = None
) -> Product:
    return _update(Product.objects.filter(pk=product_id), changes, PRODUCT_FIELDS, expected_version)


def product_delete(*, product_id: int, expected_version: int | None = None) -> None:
    """Delete the row and keep a tombstone one version above it, so that no stale write of the
    product, however late, can bring its document back."""
    with transaction.atomic():
        product = _lock(Product.objects.filter(pk=product_id), expected_version)
        ProductTombstone.objects.update_or_create(
            product_id=product.pk,
            defaults={"sku": product.sku, "version": product.version, "deleted_at": timezone.now()},
        )
        versions.bump(ProductTombstone.objects.filter(pk=product.pk))
        product.delete()


# --- brands -----------------------------------------------------------------------------------


def brand_create(*, name: str, slug: str | None = None) -> Brand:
    brand = Brand(name=name, slug=slug or _unique_slug(Brand, name))
    with transaction.atomic():
        _save_validated(brand)
    return brand


def brand_update(*, slug: str, changes: dict[str, Any], expected_version: int | None = None) -> Brand:
    """A brand's name and slug are copied into its products' documents: they change with it."""
    return _update(
        Brand.objects.filter(slug=slug),
        changes,
        BRAND_FIELDS,
        expected_version,
        dependents=lambda brand: Product.objects.filter(brand_id=brand.pk),
    )


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
    """A category's name and path are copied into the documents of its products and of every
    product below it in the tree: they change with it."""
    return _update(
        Category.objects.filter(slug=slug),
        changes,
        CATEGORY_FIELDS,
        expected_version,
        check=_check_tree_position,
        dependents=lambda category: Product.objects.filter(
            category_id__in=category_subtree_ids(category_id=category.pk)
        ),
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
    *,
    check: Callable[[Versioned], None] | None = None,
    dependents: Callable[[Versioned], models.QuerySet[Product]] | None = None,
) -> Versioned:
    """Apply `changes` to the locked row, validate and save it, then move it (and the products
    whose documents copy it, `dependents`) to their next versions."""
    _reject_unknown(changes, allowed)
    with transaction.atomic():
        instance = _lock(queryset, expected_version)
        for field, value in changes.items():
            setattr(instance, field, value)
        if check is not None:
            check(instance)
        _save_validated(instance)
        versions.bump(queryset.model.objects.filter(pk=instance.pk))
        instance.refresh_from_db(fields=["version", "updated_at"])
        if dependents is not None:
            versions.bump(dependents(instance))
    return instance


def _reject_unknown(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError({field: ["Unknown field."] for field in unknown})


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


def category_subtree_ids(*, category_id: int) -> list[int]:
    """The category and every category below it."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    subtree, frontier = [category_id], [category_id]
    while frontier:
        frontier = [child for parent in frontier for child in children.get(parent, [])]
        subtree.extend(frontier)
    return subtree


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
