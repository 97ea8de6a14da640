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
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from . import attributes, search_configuration, synonyms, versions
from .exceptions import StillInUse, VersionMismatch
from .models import (
    AttributeDefinition,
    Brand,
    Category,
    IdempotencyRecord,
    MerchandisingRule,
    Product,
    ProductTombstone,
    ProductVariant,
    SynonymRule,
    options_key,
)
from .validators import MAX_CATEGORY_DEPTH, MAX_VARIANTS

Versioned = TypeVar(
    "Versioned", Brand, Category, Product, AttributeDefinition, SynonymRule, MerchandisingRule
)

# The fields a command may set, in the order the API and the admin show them: every field of
# the model that is not bookkeeping (id, version, timestamps).
PRODUCT_FIELDS = tuple(
    field.name
    for field in Product._meta.concrete_fields
    if field.editable and not field.primary_key and field.name != "version"
)
# Product fields that sum up its variants (the lowest active price, the total active stock).
SUMMARY_FIELDS = ("price", "stock")
VARIANT_FIELDS = tuple(
    field.name
    for field in ProductVariant._meta.concrete_fields
    if field.editable and not field.primary_key and field.name != "product"
)
BRAND_FIELDS = ("name", "slug")
CATEGORY_FIELDS = ("name", "slug", "parent")


# --- products -------------------------------------------------------------------------------


def product_create(
    *,
    sku: str,
    name: str,
    category: Category,
    price: Decimal | None = None,
    variants: list[dict[str, Any]] | None = None,
    **optional: Any,
) -> Product:
    """Create a product with its variants; the optional fields (PRODUCT_FIELDS) left out take the
    model's defaults. Without `variants` it gets one default variant, with the product's sku,
    `price` and `stock` and no options: a product created as before variants existed."""
    _reject_unknown(optional, PRODUCT_FIELDS)
    if variants is None:
        if price is None:
            raise ValidationError({"price": ["This field is required when no variants are given."]})
        stock = optional.get("stock", Product._meta.get_field("stock").get_default())
        variants = [{"sku": sku, "price": price, "stock": stock}]
    elif price is not None or "stock" in optional:
        raise ValidationError({"variants": ["Give price and stock on the variants, not on the product."]})
    product = Product(sku=sku, name=name, category=category, **optional)
    with transaction.atomic():
        attributes.check_attributes(attributes=product.attributes, category=category)
        _save_product_with_variants(product, [ProductVariant(**fields) for fields in variants], removed=[])
        versions.announce(Product.objects.filter(pk=product.pk))
    return product


def product_update(
    *,
    product_id: int,
    changes: dict[str, Any],
    expected_version: int | None = None,
    replace: bool = False,
) -> Product:
    """Change a product. `variants` are matched by sku: new ones are created, the others updated;
    `replace` (a PUT) also removes the variants left out and resets the fields left out to the
    model's defaults. `price` and `stock` without `variants` change the product's only variant."""
    changes = dict(changes)
    variant_changes = changes.pop("variants", None)
    _reject_unknown(changes, PRODUCT_FIELDS)
    if replace:
        changes = {**_replacement_defaults(with_variants=variant_changes is not None), **changes}
    with transaction.atomic():
        product = _lock(Product.objects.filter(pk=product_id), expected_version)
        current = list(product.variants.all())
        summary_changes = {name: changes.pop(name) for name in SUMMARY_FIELDS if name in changes}
        for field, value in changes.items():
            setattr(product, field, value)
        if {"attributes", "category"} & changes.keys():
            attributes.check_attributes(attributes=product.attributes, category=product.category)
        if variant_changes is not None:
            if summary_changes:
                raise ValidationError(
                    {"variants": ["Give price and stock on the variants, not on the product."]}
                )
            kept, removed = _merged_variants(current, variant_changes, replace=replace)
        else:
            if replace and len(current) != 1:
                raise ValidationError(
                    {"variants": [f"This product has {len(current)} variants: a replacement lists them."]}
                )
            if summary_changes and len(current) != 1:
                raise ValidationError(
                    {
                        name: [f"This product has {len(current)} variants: set it on each of them."]
                        for name in summary_changes
                    }
                )
            for field, value in summary_changes.items():
                setattr(current[0], field, value)
            kept, removed = current, []
        _save_product_with_variants(product, kept, removed=removed)
        _bump(product)
    return product


def variant_create(
    *, product_id: int, fields: dict[str, Any], expected_version: int | None = None
) -> ProductVariant:
    """Add a variant to a product (If-Match names the product's version)."""
    _reject_unknown(fields, VARIANT_FIELDS)
    with transaction.atomic():
        product = _lock(Product.objects.filter(pk=product_id), expected_version)
        variant = ProductVariant(**fields)
        _save_product_with_variants(product, [*product.variants.all(), variant], removed=[])
        _bump(product)
    return variant


def variant_update(
    *, product_id: int, sku: str, changes: dict[str, Any], expected_version: int | None = None
) -> ProductVariant:
    _reject_unknown(changes, VARIANT_FIELDS)
    with transaction.atomic():
        product = _lock(Product.objects.filter(pk=product_id), expected_version)
        variants = list(product.variants.all())
        variant = _variant_of(variants, sku)
        for field, value in changes.items():
            setattr(variant, field, value)
        _save_product_with_variants(product, variants, removed=[])
        _bump(product)
    return variant


def variant_delete(*, product_id: int, sku: str, expected_version: int | None = None) -> None:
    with transaction.atomic():
        product = _lock(Product.objects.filter(pk=product_id), expected_version)
        variants = list(product.variants.all())
        variant = _variant_of(variants, sku)
        _save_product_with_variants(product, [v for v in variants if v is not variant], removed=[variant])
        _bump(product)


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


def default_variants_create() -> int:
    """Give every product without a variant its default one (the product's sku, price and stock,
    no options), in one statement; returns how many. For rows loaded behind the services' back
    (bulk loads, imports of old data), which an index rebuild then projects: versions do not
    change here."""
    table, products = ProductVariant._meta.db_table, Product._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (product_id, sku, options, options_key, price, compare_at_price, stock, "
            f"is_active) SELECT id, sku, '{{}}', %s, price, NULL, stock, TRUE FROM {products} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {table}.product_id = {products}.id)",
            [options_key({})],
        )
        return cursor.rowcount


# --- attribute definitions ------------------------------------------------------------------

ATTRIBUTE_FIELDS = ("code", "name", "type", "choices", "unit", "filterable", "searchable", "categories")


def attribute_create(*, code: str, name: str, **optional: Any) -> AttributeDefinition:
    """Define a typed attribute; the products that already carry values under its code are
    re-indexed with their values typed."""
    _reject_unknown(optional, ATTRIBUTE_FIELDS)
    categories = optional.pop("categories", [])
    definition = AttributeDefinition(code=code, name=name, **optional)
    with transaction.atomic():
        _check_definition(definition)
        _save_validated(definition)
        definition.categories.set(categories)
        versions.bump(_carrying(definition.code))
    return definition


def attribute_update(
    *, code: str, changes: dict[str, Any], expected_version: int | None = None
) -> AttributeDefinition:
    changes = dict(changes)
    categories = changes.pop("categories", None)
    if "code" in changes and changes["code"] != code:
        raise ValidationError({"code": ["An attribute's code cannot change; define another."]})
    with transaction.atomic():
        definition = _update(
            AttributeDefinition.objects.filter(code=code),
            changes,
            ATTRIBUTE_FIELDS,
            expected_version,
            check=_check_definition,
            dependents=lambda changed: _carrying(changed.code),
        )
        if categories is not None:
            definition.categories.set(categories)
    return definition


def attribute_delete(*, code: str, expected_version: int | None = None) -> None:
    """Remove a definition: values under its code stay on the products, as text attributes."""
    with transaction.atomic():
        definition = _lock(AttributeDefinition.objects.filter(code=code), expected_version)
        versions.bump(_carrying(code))
        definition.delete()


def _carrying(code: str) -> models.QuerySet[Product]:
    """The products with a value under `code`, whose documents type it by its definition."""
    return Product.objects.filter(attributes__has_key=code)


def _check_definition(definition: AttributeDefinition) -> None:
    is_enum = definition.type == AttributeDefinition.Type.ENUM
    if is_enum and not definition.choices:
        raise ValidationError({"choices": ["An enum attribute needs its choices."]})
    if not is_enum and definition.choices:
        raise ValidationError({"choices": ["Only an enum attribute has choices."]})
    if definition.unit and definition.type != AttributeDefinition.Type.NUMBER:
        raise ValidationError({"unit": ["Only a number attribute has a unit."]})


# --- synonym rules -----------------------------------------------------------------------------

SYNONYM_FIELDS = ("code", "rule")


def synonym_create(*, rule: str, code: str | None = None) -> SynonymRule:
    """Add a synonym rule (catalog.synonyms); searches use it within seconds of the commit. The
    code, which names the rule in the API and the admin, is derived from its first term when
    left out."""
    rule = " ".join(rule.split())
    try:
        first_term = synonyms.parse_rule(rule).terms[0]
    except ValidationError as error:
        raise ValidationError({"rule": error.messages}) from None
    created = SynonymRule(rule=rule, code=code or _unique_code(SynonymRule, first_term))
    with transaction.atomic():
        _save_validated(created)
        transaction.on_commit(_announce_search_configuration)
    return created


def synonym_update(*, code: str, changes: dict[str, Any], expected_version: int | None = None) -> SynonymRule:
    changes = dict(changes)
    if "rule" in changes:
        changes["rule"] = " ".join(changes["rule"].split())
    with transaction.atomic():
        updated = _update(SynonymRule.objects.filter(code=code), changes, SYNONYM_FIELDS, expected_version)
        transaction.on_commit(_announce_search_configuration)
    return updated


def synonym_delete(*, code: str, expected_version: int | None = None) -> None:
    with transaction.atomic():
        _lock(SynonymRule.objects.filter(code=code), expected_version).delete()
        transaction.on_commit(_announce_search_configuration)


def _announce_search_configuration() -> None:
    search_configuration.changed.send(sender=None)


def _unique_code(model: type[SynonymRule] | type[MerchandisingRule], text: str) -> str:
    base = slugify(text)[:60] or "rule"
    code, suffix = base, 2
    while model.objects.filter(code=code).exists():
        code, suffix = f"{base}-{suffix}", suffix + 1
    return code


# --- merchandising rules ------------------------------------------------------------------------

MERCHANDISING_FIELDS = ("code", "query", "match", "pinned", "hidden", "starts_at", "ends_at")


def merchandising_create(*, query: str, code: str | None = None, **optional: Any) -> MerchandisingRule:
    """Pin and hide products for a search query; searches follow it within seconds of the
    commit. The code, which names the rule, is derived from the query when left out."""
    _reject_unknown(optional, MERCHANDISING_FIELDS)
    query = " ".join(query.lower().split())
    rule = MerchandisingRule(query=query, code=code or _unique_code(MerchandisingRule, query), **optional)
    with transaction.atomic():
        _check_merchandising(rule)
        _save_validated(rule)
        transaction.on_commit(_announce_search_configuration)
    return rule


def merchandising_update(
    *, code: str, changes: dict[str, Any], expected_version: int | None = None
) -> MerchandisingRule:
    changes = dict(changes)
    if "query" in changes:
        changes["query"] = " ".join(changes["query"].lower().split())
    with transaction.atomic():
        rule = _update(
            MerchandisingRule.objects.filter(code=code),
            changes,
            MERCHANDISING_FIELDS,
            expected_version,
            check=_check_merchandising,
        )
        transaction.on_commit(_announce_search_configuration)
    return rule


def merchandising_delete(*, code: str, expected_version: int | None = None) -> None:
    with transaction.atomic():
        _lock(MerchandisingRule.objects.filter(code=code), expected_version).delete()
        transaction.on_commit(_announce_search_configuration)


def _check_merchandising(rule: MerchandisingRule) -> None:
    errors: dict[str, list[str]] = {}
    if not rule.query:
        errors["query"] = ["A rule needs the query it applies to."]
    if isinstance(rule.pinned, list) and isinstance(rule.hidden, list):
        if set(rule.pinned) & set(rule.hidden):
            errors["hidden"] = ["A product cannot be both pinned and hidden."]
        named = [pk for pk in [*rule.pinned, *rule.hidden] if isinstance(pk, int)]
        unknown = sorted(set(named) - set(Product.objects.filter(pk__in=named).values_list("pk", flat=True)))
        if unknown:
            errors.setdefault("pinned" if set(unknown) & set(rule.pinned) else "hidden", []).append(
                f"No product with id {', '.join(map(str, unknown))}."
            )
    if rule.starts_at and rule.ends_at and rule.ends_at <= rule.starts_at:
        errors["ends_at"] = ["The window must end after it starts."]
    if errors:
        raise ValidationError(errors)


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


def _replacement_defaults(*, with_variants: bool) -> dict[str, Any]:
    """What a replacement (PUT) sets the product fields it leaves out to: the model's defaults.
    When it lists the variants, the summary fields follow from them instead."""
    settable = [name for name in PRODUCT_FIELDS if not (with_variants and name in SUMMARY_FIELDS)]
    return _model_defaults(Product, settable)


def _model_defaults(model: type[models.Model], names: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The default of each of the `names` fields of `model` that has one (None if nullable)."""
    return {
        field.name: field.get_default()
        for field in model._meta.concrete_fields
        if field.name in names and (field.has_default() or field.null)
    }


def _merged_variants(
    current: list[ProductVariant], changes: list[dict[str, Any]], *, replace: bool
) -> tuple[list[ProductVariant], list[ProductVariant]]:
    """The variants after applying `changes` (matched by sku), and those removed."""
    by_sku = {variant.sku: variant for variant in current}
    kept = []
    for fields in changes:
        _reject_unknown(fields, VARIANT_FIELDS)
        variant = by_sku.pop(fields.get("sku"), None)
        if variant is None:
            variant = ProductVariant(**fields)
        else:
            defaults = variant_defaults() if replace else {}
            for field, value in {**defaults, **fields}.items():
                setattr(variant, field, value)
        kept.append(variant)
    leftovers = list(by_sku.values())
    if replace:
        return kept, leftovers
    return [*kept, *leftovers], []


def variant_defaults() -> dict[str, Any]:
    """What a replacement of a variant sets the fields it leaves out to: the model's defaults."""
    return _model_defaults(ProductVariant, VARIANT_FIELDS)


def _variant_of(variants: list[ProductVariant], sku: str) -> ProductVariant:
    for variant in variants:
        if variant.sku == sku:
            return variant
    raise ProductVariant.DoesNotExist(f"The product has no variant '{sku}'.")


def _save_product_with_variants(
    product: Product, variants: list[ProductVariant], *, removed: list[ProductVariant]
) -> None:
    """Check the variants as a set, sum them up on the product, and save everything validated."""
    _check_variant_set(variants)
    active = [variant for variant in variants if variant.is_active] or variants
    product.price = min(variant.price for variant in active)
    product.stock = sum(variant.stock for variant in variants if variant.is_active)
    _save_validated(product)
    for variant in removed:
        if variant.pk is not None:
            variant.delete()
    for variant in variants:
        variant.product = product
        variant.options_key = options_key(variant.options)
        try:
            _save_validated(variant)
        except ValidationError as error:
            raise ValidationError(
                {
                    "variants": [
                        f"{variant.sku}: {field}: {' '.join(messages)}"
                        for field, messages in error.message_dict.items()
                    ]
                }
            ) from error


def _check_variant_set(variants: list[ProductVariant]) -> None:
    """At least one variant and at most MAX_VARIANTS; skus and option combinations unique;
    every variant names the same option axes."""
    problems = []
    if not 1 <= len(variants) <= MAX_VARIANTS:
        problems.append(f"A product has 1 to {MAX_VARIANTS} variants.")
    skus = [variant.sku for variant in variants]
    problems += [f"The sku '{sku}' is given twice." for sku in sorted({s for s in skus if skus.count(s) > 1})]
    combinations = [
        tuple(sorted(variant.options.items())) for variant in variants if isinstance(variant.options, dict)
    ]
    if len(set(combinations)) != len(combinations):
        problems.append("Two variants have the same options; each combination may appear once.")
    if len({tuple(sorted(options)) for options in (dict(c) for c in combinations)}) > 1:
        problems.append("Every variant of a product must name the same options (e.g. all size and color).")
    if problems:
        raise ValidationError({"variants": problems})


def _bump(product: Product) -> None:
    versions.bump(Product.objects.filter(pk=product.pk))
    product.refresh_from_db(fields=["version", "updated_at"])


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
