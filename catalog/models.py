"""Write model: brands, the category tree, products and their variants, tombstones of deleted
products, the products' change history, idempotency records, and feed imports run by workers."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from . import synonyms, validators


class Brand(models.Model):
    name = models.CharField(max_length=100, unique=True, validators=[validators.validate_single_line])
    slug = models.SlugField(max_length=100, unique=True)
    version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    name = models.CharField(max_length=100, validators=[validators.validate_single_line])
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    sku = models.CharField(max_length=64, unique=True, validators=[validators.validate_sku])
    name = models.CharField(
        max_length=validators.MAX_NAME_LENGTH, validators=[validators.validate_single_line]
    )
    description = models.TextField(
        blank=True,
        default="",
        validators=[MaxLengthValidator(validators.MAX_DESCRIPTION_LENGTH), validators.validate_multi_line],
    )
    # The name and description in the catalog's other languages (settings.CATALOG_LANGUAGES):
    # {"de": {"name": ..., "description": ...}}; what a language leaves out reads as the default's.
    translations = models.JSONField(default=dict, blank=True, validators=[validators.validate_translations])
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    # The lowest price of the product's active variants, and their total stock: kept by the
    # services with the variants, so lists and the admin need not aggregate them.
    price = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(
        max_length=3,
        default="USD",
        validators=[MinLengthValidator(3), validators.validate_currency],
    )
    stock = models.PositiveIntegerField(default=0)
    tags = models.JSONField(default=list, blank=True, validators=[validators.validate_tags])
    attributes = models.JSONField(default=dict, blank=True, validators=[validators.validate_attributes])
    is_active = models.BooleanField(default=True)
    version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class ProductVariant(models.Model):
    """One sellable version of a product: its own sku, price and stock, and a value on each of
    the product's option axes (e.g. size and colour). A product has at least one."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True, validators=[validators.validate_sku])
    options = models.JSONField(default=dict, blank=True, validators=[validators.validate_options])
    # A digest of the options, so the database keeps two variants of a product apart.
    options_key = models.CharField(max_length=40, editable=False)
    price = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    compare_at_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    stock = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "options_key"], name="unique_variant_options_per_product"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.options}"


def options_key(options: dict[str, str]) -> str:
    """The digest ProductVariant.options_key holds for these options."""
    return hashlib.sha1(json.dumps(options, sort_keys=True).encode(), usedforsecurity=False).hexdigest()


class AttributeDefinition(models.Model):
    """A typed product attribute staff define (e.g. screen size, a number in inches): product
    values under its code are checked against it, and the filterable ones become search facets.
    Global, or restricted to categories and everything below them. Its name and choice labels
    also label the variants' option axis of the same code (e.g. `color`) in facets."""

    class Type(models.TextChoices):
        TEXT = "text"
        ENUM = "enum"
        NUMBER = "number"
        BOOLEAN = "boolean"

    code = models.CharField(max_length=50, unique=True, validators=[validators.validate_attribute_code])
    name = models.CharField(
        max_length=validators.MAX_ATTRIBUTE_NAME_LENGTH, validators=[validators.validate_single_line]
    )
    type = models.CharField(max_length=8, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(default=list, blank=True, validators=[validators.validate_attribute_choices])
    # How facets show an enum's choices in the default language ({"blue": "Blue"}); a choice
    # left out is shown as stored. Filters keep taking the stored value.
    choice_labels = models.JSONField(default=dict, blank=True, validators=[validators.validate_choice_labels])
    # The name and choice labels in the catalog's other languages (settings.CATALOG_LANGUAGES):
    # {"de": {"name": "Farbe", "choice_labels": {"blue": "Blau"}}}; what a language leaves out
    # reads as the default's.
    translations = models.JSONField(
        default=dict, blank=True, validators=[validators.validate_attribute_translations]
    )
    unit = models.CharField(max_length=20, blank=True, default="")
    filterable = models.BooleanField(default=True)
    searchable = models.BooleanField(default=False)
    categories = models.ManyToManyField(Category, blank=True, related_name="attribute_definitions")
    version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code}, {self.type})"


class SynonymRule(models.Model):
    """A synonym rule staff manage for search (catalog.synonyms: `tv, television` or
    `laptop => notebook`), applied to searches within seconds of a change, without a reindex."""

    code = models.SlugField(max_length=64, unique=True)
    rule = models.CharField(max_length=synonyms.MAX_RULE_LENGTH, validators=[synonyms.validate_rule])
    version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.rule


class MerchandisingRule(models.Model):
    """For a search query (exactly, or contained as whole words), products pinned to the top in
    the given order and products hidden, optionally only within a time window."""

    class Match(models.TextChoices):
        EXACT = "exact"
        CONTAINS = "contains"

    code = models.SlugField(max_length=64, unique=True)
    query = models.CharField(max_length=200, validators=[validators.validate_single_line])
    match = models.CharField(max_length=8, choices=Match.choices, default=Match.EXACT)
    pinned = models.JSONField(default=list, blank=True, validators=[validators.validate_pinned_products])
    hidden = models.JSONField(default=list, blank=True, validators=[validators.validate_hidden_products])
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.match} “{self.query}”"


class ProductTombstone(models.Model):
    """The last version of a deleted product, so no stale write can bring it back."""

    product_id = models.BigIntegerField(primary_key=True)
    sku = models.CharField(max_length=64)
    version = models.PositiveBigIntegerField()
    deleted_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"deleted product {self.product_id} (v{self.version})"


class ProductChange(models.Model):
    """One command's change of a product, written by the command itself (catalog.history): who,
    when, through which channel, and each field's value before and after."""

    class Action(models.TextChoices):
        CREATED = "created"
        UPDATED = "updated"
        DELETED = "deleted"

    class Channel(models.TextChoices):
        API = "api"
        ADMIN = "admin"
        BULK = "bulk"
        INVENTORY = "inventory"
        IMPORT = "import"
        # Code run without a request: the demo seed, a shell, a migration.
        SYSTEM = "system"

    # The product by id and sku, not by a foreign key: its history outlives it.
    product_id = models.BigIntegerField()
    sku = models.CharField(max_length=64)
    # The product's version the command made (a deletion's: its tombstone's).
    version = models.PositiveBigIntegerField()
    action = models.CharField(max_length=8, choices=Action.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # The user (a token's user) by id and name, so that a user removed later stays named.
    user_id = models.BigIntegerField(null=True, blank=True)
    username = models.CharField(max_length=150, blank=True, default="")
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    # [{"field": ["variants", "SHIRT-M", "price"], "from": "20.00", "to": "25.00"}, ...]
    changes = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["product_id", "id"], name="product_change_by_product")]

    def __str__(self) -> str:
        return f"{self.sku} {self.action} (v{self.version}, {self.channel})"


class IdempotencyRecord(models.Model):
    """The first successful answer to a POST sent with an Idempotency-Key, replayed to retries."""

    user_id = models.BigIntegerField()
    # Keys are opaque byte strings: a case- or accent-insensitive collation would replay one
    # client's `CAFE-x` to its `cafe-x`.
    key = models.CharField(max_length=255, db_collation="utf8mb4_bin")
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "key"], name="unique_idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"


class ImportJob(models.Model):
    """A feed uploaded to `POST /api/imports/` and imported by a worker (catalog.imports): its
    file, its progress and, once finished, its summary and report."""

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    user_id = models.BigIntegerField()
    filename = models.CharField(max_length=255)
    # Kept in MySQL, so any worker can read it: web and worker share no disk in compose.
    content = models.BinaryField()
    create_missing = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # catalog.imports.ImportSummary once done: the counts, and every rejected row with its reasons.
    report = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"import {self.pk} of {self.filename} ({self.state})"
