"""Input validation and output shape of the write-side commands."""

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import APIException

from catalog import services, validators
from catalog.models import (
    AttributeDefinition,
    Brand,
    Category,
    ImportJob,
    MerchandisingRule,
    Product,
    ProductChange,
    ProductVariant,
    SynonymRule,
)
from catalog.services import (
    ATTRIBUTE_FIELDS,
    MERCHANDISING_FIELDS,
    PRODUCT_FIELDS,
    SYNONYM_FIELDS,
    VARIANT_FIELDS,
)
from shared.serializers import ReusedFieldsMixin
from shared.statements import built_once


class RejectUnknownFieldsMixin(serializers.Serializer):
    """A typo in a field name must be an error, not a silently ignored field."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = {name for name, f in self.fields.items() if not f.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "enum": sorted(validators.CURRENCY_CODES)})
class CurrencyField(serializers.CharField):
    """An ISO 4217 code; the schema lists the codes validate_currency accepts."""


class StrictCharField(serializers.CharField):
    """A string, and only a string: 5 or true are refused, not silently turned into text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CommandSerializer(ReusedFieldsMixin, RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """The base of every command's serializer: unknown fields are refused, and so is a number
    or a boolean where the model keeps text (a name of 5 is a mistake, not the text "5")."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }


class AttributeValueField(serializers.JSONField):
    """A text, a number or true/false: JSON's scalars but null (the definition's type is the
    services' check)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and len(data) > validators.MAX_ATTRIBUTE_VALUE_LENGTH:
            raise serializers.ValidationError(f"At most {validators.MAX_ATTRIBUTE_VALUE_LENGTH} characters.")
        if isinstance(data, str | bool) or validators.is_attribute_number(data):
            return data
        raise serializers.ValidationError("Expected a text, a number or true/false.")


class AttributeTranslationSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """An attribute's name and choice labels in one of the catalog's other languages."""

    name = StrictCharField(
        max_length=validators.MAX_ATTRIBUTE_NAME_LENGTH,
        required=False,
        validators=[validators.validate_single_line],
        help_text="Left out: the default language's name is shown.",
    )
    choice_labels = serializers.DictField(
        child=StrictCharField(
            max_length=validators.MAX_CHOICE_LABEL_LENGTH, validators=[validators.validate_single_line]
        ),
        required=False,
        help_text="Labels by choice; a choice left out shows the default language's label.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Give a name, choice labels or both.")
        return attrs


class AttributeDefinitionSerializer(CommandSerializer):
    categories = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        many=True,
        required=False,
        help_text="Category slugs the attribute is restricted to (with their subcategories); "
        "none: every product.",
    )
    choices = serializers.ListField(
        child=StrictCharField(max_length=validators.MAX_ATTRIBUTE_VALUE_LENGTH),
        required=False,
        max_length=validators.MAX_ATTRIBUTE_CHOICES,
        help_text="The allowed values of an enum attribute.",
    )

    choice_labels = serializers.DictField(
        child=StrictCharField(
            max_length=validators.MAX_CHOICE_LABEL_LENGTH, validators=[validators.validate_single_line]
        ),
        required=False,
        help_text='How facets show an enum\'s choices, by choice: `{"blue": "Blue"}`; a choice left out is '
        "shown as stored. Labels are display only: filters take the stored choice. They also label the "
        "variants' option axis named like the attribute's code (e.g. `color`).",
    )
    translations = serializers.DictField(
        child=AttributeTranslationSerializer(),
        required=False,
        help_text="The name and choice labels in the catalog's other languages (CATALOG_LANGUAGES but "
        'the first, the default), by language code: `{"de": {"name": "Farbe", "choice_labels": '
        '{"blue": "Blau"}}}`. Replaced as a whole; a language, field or choice left out reads as the '
        "default language's. Search facets answer in the search's language.",
    )

    class Meta:
        model = AttributeDefinition
        fields = [*ATTRIBUTE_FIELDS, "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]

    def validate_choice_labels(self, value: dict[str, str]) -> dict[str, str]:
        validators.validate_choice_labels(value)
        return value

    def validate_translations(self, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        translations = {language: dict(texts) for language, texts in value.items()}
        validators.validate_attribute_translations(translations)
        return translations


class VariantSerializer(CommandSerializer):
    options = serializers.DictField(
        child=StrictCharField(max_length=validators.MAX_OPTION_VALUE_LENGTH),
        required=False,
        help_text='A value on each of the product\'s option axes, e.g. `{"size": "M", "color": "blue"}`.',
    )
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    compare_at_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    stock = serializers.IntegerField(min_value=0, max_value=validators.MAX_STOCK, required=False)

    class Meta:
        model = ProductVariant
        fields = list(VARIANT_FIELDS)
        # The services check that a sku is unique, among the variants of the whole catalog; here a
        # variant's sku also names the variant a command changes, so it must not be refused.
        extra_kwargs = {"sku": {"validators": [validators.validate_sku]}}

    def validate_options(self, value: dict[str, str]) -> dict[str, str]:
        validators.validate_options(value)
        return value


class PreloadedSlugRelatedField(serializers.SlugRelatedField):
    """A row by slug: taken from the rows a bulk request preloaded (context `preloaded`: model ->
    slug -> row) when it is there, saving a query per item; else read by a statement built once
    (shared.statements), which a single command's brand and category took 0.25 ms each to build.
    Its queryset is all of its model's rows. A slug no row has, or a value no slug can be, gets
    DRF's errors."""

    def to_internal_value(self, data: Any) -> Any:
        # A writable related field always has a queryset (DRF asserts it); the stub allows None.
        model: type[models.Model] = self.get_queryset().model  # type: ignore[union-attr]
        preloaded = self.context.get("preloaded", {}).get(model, {})
        if isinstance(data, str) and data in preloaded:
            return preloaded[data]
        if isinstance(data, str):
            try:
                row = next(iter(_by_slug(model, self.slug_field)(data)), None)
            except ValueError:  # text MySQL cannot take: DRF's lookup answers it as invalid
                row = None
            if row is not None:
                return row
        return super().to_internal_value(data)


@cache
def _by_slug(model: type[models.Model], slug_field: str) -> Callable[..., Any]:
    return built_once(lambda: model._default_manager.filter(**{slug_field: ""}))


class TranslationSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """A product's name and description in one of the catalog's other languages."""

    name = StrictCharField(
        max_length=validators.MAX_NAME_LENGTH,
        required=False,
        validators=[validators.validate_single_line],
        help_text="Left out: the default language's name is shown.",
    )
    description = StrictCharField(
        max_length=validators.MAX_DESCRIPTION_LENGTH,
        required=False,
        allow_blank=True,
        validators=[validators.validate_multi_line],
        help_text="Left out: the default language's description is shown.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Give a name, a description or both.")
        return attrs


class ProductSerializer(CommandSerializer):
    brand = PreloadedSlugRelatedField(
        slug_field="slug", queryset=Brand.objects.all(), allow_null=True, required=False
    )
    category = PreloadedSlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="The lowest price of the active variants. Without `variants`, the price of the "
        "product's one default variant (required then).",
    )
    stock = serializers.IntegerField(
        min_value=0,
        max_value=validators.MAX_STOCK,
        required=False,
        help_text="The total stock of the active variants. Without `variants`, the stock of the "
        "product's one default variant.",
    )
    variants = VariantSerializer(
        many=True,
        required=False,
        max_length=validators.MAX_VARIANTS,  # type: ignore[call-arg]  # a ListSerializer's, unknown to the stub
        help_text="Matched by sku: new ones are created, the others changed; a PUT removes those "
        "it leaves out. Left out entirely, the product has one default variant.",
    )
    currency = CurrencyField(
        min_length=3, max_length=3, required=False, validators=[validators.validate_currency]
    )
    tags = serializers.ListField(
        child=StrictCharField(min_length=1, max_length=validators.MAX_TAG_LENGTH, trim_whitespace=False),
        max_length=validators.MAX_TAGS,
        required=False,
    )
    translations = serializers.DictField(
        child=TranslationSerializer(),
        required=False,
        help_text="The name and description in the catalog's other languages (CATALOG_LANGUAGES but the "
        'first, the default), by language code: `{"de": {"name": "Wanderschuhe", "description": "..."}}`. '
        "Replaced as a whole, like `attributes`; a language or field left out reads as the default "
        "language's text.",
    )
    attributes = serializers.DictField(
        child=AttributeValueField(),
        required=False,
        help_text="Attribute code to value: a text, a number or true/false, as the attribute's "
        "definition (`/api/attributes/`) says; a code without a definition takes a text.",
    )

    class Meta:
        model = Product
        fields = ["id", *PRODUCT_FIELDS, "variants", "version", "created_at", "updated_at"]
        read_only_fields = ["id", "version", "created_at", "updated_at"]
        extra_kwargs: dict[str, dict[str, Any]] = {
            "description": {"max_length": validators.MAX_DESCRIPTION_LENGTH},
            # The database checks that a sku is unique when the product is written, and the
            # services answer a taken one with the same 400: no query beforehand, and no need
            # to read the product a command changes just to tell its own sku from another's.
            "sku": {"validators": [validators.validate_sku]},
        }

    def validate_attributes(self, value: dict[str, str]) -> dict[str, str]:
        validators.validate_attributes(value)
        return value

    def validate_translations(self, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        translations = {language: dict(texts) for language, texts in value.items()}
        validators.validate_translations(translations)
        return translations


class BrandSerializer(CommandSerializer):
    class Meta:
        model = Brand
        fields = ["name", "slug", "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]
        extra_kwargs = {"slug": {"required": False}}


class CategorySerializer(CommandSerializer):
    # DRF's metaclass takes declared fields off the class, so this is no clash with Field.parent,
    # which the stub cannot tell.
    parent = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="slug", queryset=Category.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Category
        fields = ["name", "slug", "parent", "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]
        extra_kwargs = {"slug": {"required": False}}


class SynonymRuleSerializer(CommandSerializer):
    code = serializers.SlugField(
        max_length=64, required=False, help_text="Names the rule; derived from its first term when left out."
    )

    class Meta:
        model = SynonymRule
        fields = [*SYNONYM_FIELDS, "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]
        extra_kwargs = {
            "rule": {
                "help_text": "An equivalence, `tv, television` (each term finds the others), or a one-way "
                "rule, `laptop => notebook` (a search for laptop also finds notebooks). Searches use it "
                "within seconds; no reindex."
            }
        }


class MerchandisingRuleSerializer(CommandSerializer):
    code = serializers.SlugField(
        max_length=64, required=False, help_text="Names the rule; derived from the query when left out."
    )
    pinned = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=validators.MAX_PINNED_PRODUCTS,
        help_text="Product ids shown first, in this order (when they meet the search's filters).",
    )
    hidden = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=validators.MAX_HIDDEN_PRODUCTS,
        help_text="Product ids never shown for the query.",
    )

    class Meta:
        model = MerchandisingRule
        fields = [*MERCHANDISING_FIELDS, "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]
        extra_kwargs = {
            "query": {"help_text": "The search query the rule applies to (case and spacing ignored)."},
            "match": {"help_text": "`exact`: the whole query; `contains`: the query holds these words."},
        }


# --- bulk commands ------------------------------------------------------------------------------

# What each kind of bulk operation needs, as the single commands do: an upsert may create or
# change, so it needs both.
OPERATION_PERMISSIONS = {
    "create": ("catalog.add_product",),
    "update": ("catalog.change_product",),
    "upsert": ("catalog.add_product", "catalog.change_product"),
    "delete": ("catalog.delete_product",),
}


class TooManyOperations(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_many_operations"


class BulkOperationSerializer(ReusedFieldsMixin, RejectUnknownFieldsMixin, serializers.Serializer):
    """The envelope of one operation of `POST /api/products/bulk/`."""

    op = serializers.ChoiceField(choices=services.BULK_ACTIONS)
    id = serializers.IntegerField(
        min_value=1,
        max_value=validators.MAX_ID,
        required=False,
        help_text="update, delete: the product, by id (or give `sku`).",
    )
    sku = StrictCharField(
        required=False,
        validators=[validators.validate_sku],
        help_text="update, delete: the product, by sku (or give `id`).",
    )
    expected_version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="update, delete: the version the client saw; another one is refused (412).",
    )
    product = serializers.DictField(
        required=False,
        help_text="create, upsert: the product's fields, as `POST /api/products/` takes them (an "
        "upsert names its product by `product.sku`); update: the fields to change, as PATCH.",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        op = data["op"]
        errors: dict[str, Any] = {}
        if op in ("update", "delete"):
            if ("id" in data) == ("sku" in data):
                errors["id"] = ["Name the product by its id or by its sku (one of them)."]
        else:
            for name in ("id", "sku", "expected_version"):
                if name in data:
                    errors[name] = [f"A {op} names its product by `product.sku` and takes no {name}."]
        if op == "delete" and "product" in data:
            errors["product"] = ["A delete takes no product fields."]
        elif op != "delete" and "product" not in data:
            errors["product"] = ["This field is required."]
        elif op == "upsert" and "sku" not in data["product"]:
            errors["product"] = {"sku": ["An upsert names its product by this sku."]}
        if errors:
            raise serializers.ValidationError(errors)
        return data


class InventoryChangeSerializer(ReusedFieldsMixin, RejectUnknownFieldsMixin, serializers.Serializer):
    """One item of `POST /api/products/inventory/`: a variant by sku, and its new values."""

    sku = StrictCharField(validators=[validators.validate_sku])
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    compare_at_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    stock = serializers.IntegerField(min_value=0, max_value=validators.MAX_STOCK, required=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not set(services.INVENTORY_FIELDS) & data.keys():
            raise serializers.ValidationError(
                {"non_field_errors": ["Give at least one of price, compare_at_price and stock."]}
            )
        return data


class BulkRequestSerializer(serializers.BaseSerializer):
    """A bulk request's body: a list of items (a JSON array, or JSON lines), each validated on
    its own. Only a body that is no such list, or is too long, is refused as a whole; an item
    that is refused carries its refusal to the services, which answer it in its place."""

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        # A `null` body is answered as any other that is no list, not with DRF's field message.
        return False, data

    def to_internal_value(self, data: Any) -> list[Any]:
        if not isinstance(data, list):
            raise serializers.ValidationError(
                {"non_field_errors": ["Expected a list of operations (a JSON array, or JSON lines)."]}
            )
        if not data:
            raise serializers.ValidationError({"non_field_errors": ["The request holds no operation."]})
        limit = settings.CATALOG_BULK_MAX_OPERATIONS
        if len(data) > limit:
            raise TooManyOperations(
                f"At most {limit} operations per request (CATALOG_BULK_MAX_OPERATIONS); this one has "
                f"{len(data)}: split it."
            )
        return self.items_to_internal(data)

    def items_to_internal(self, items: list[Any]) -> list[Any]:
        raise NotImplementedError

    def to_representation(self, instance: Any) -> Any:
        raise NotImplementedError("answers are shaped by BulkAnswerSerializer")


class ProductBulkSerializer(BulkRequestSerializer):
    """Into services.BulkOperation: the envelope, then the permission the operation needs (403),
    then the product's fields, validated as the single command validates them. The context
    holds the `user` whose permissions apply (None: a trusted caller, such as a feed import)."""

    def items_to_internal(self, items: list[Any]) -> list[services.BulkOperation]:
        envelopes = [BulkOperationSerializer(data=item) for item in items]
        valid = [envelope.validated_data for envelope in envelopes if envelope.is_valid()]
        existing = _existing_products(valid)
        preloaded: dict[type, dict[str, Any]] = {
            model: model.objects.in_bulk(
                {
                    envelope["product"][name]
                    for envelope in valid
                    if isinstance(envelope.get("product", {}).get(name), str)
                },
                field_name="slug",
            )
            for model, name in ((Brand, "brand"), (Category, "category"))
        }
        user = self.context["user"]
        operations = []
        for envelope in envelopes:
            if envelope.errors:
                operations.append(_rejected_operation(envelope.initial_data, 400, envelope.errors))
                continue
            operations.append(_product_operation(envelope.validated_data, user, existing, preloaded))
        return operations


def _existing_products(envelopes: list[dict[str, Any]]) -> dict[Any, Product]:
    """The products the operations name (by id, and by sku), in two queries: an upsert of a
    stored sku is validated as a change of it (partial), of a new one as a creation."""
    ids = [envelope["id"] for envelope in envelopes if "id" in envelope]
    skus = [envelope.get("sku") or envelope.get("product", {}).get("sku") for envelope in envelopes]
    skus = [sku for sku in skus if isinstance(sku, str)]
    return {
        **Product.objects.in_bulk(ids),
        **{("sku", sku): product for sku, product in Product.objects.in_bulk(skus, field_name="sku").items()},
    }


def _rejected_operation(item: Any, status_code: int, error: Any) -> services.BulkOperation:
    op = item.get("op") if isinstance(item, dict) else None
    return services.BulkOperation(
        action=op if op in services.BULK_ACTIONS else "invalid", rejected=(status_code, error)
    )


def _product_operation(
    envelope: dict[str, Any], user: Any, existing: dict[Any, Product], preloaded: dict[type, dict[str, Any]]
) -> services.BulkOperation:
    op = envelope["op"]
    target: dict[str, Any] = {"product_id": envelope.get("id"), "sku": envelope.get("sku")}
    missing = [name for name in OPERATION_PERMISSIONS[op] if user is not None and not user.has_perm(name)]
    if missing:
        error = {
            "detail": f"You may not {op} products: that needs {' and '.join(missing)}.",
            "code": "permission_denied",
        }
        return services.BulkOperation(action=op, **target, rejected=(status.HTTP_403_FORBIDDEN, error))
    if op == "delete":
        return services.BulkOperation(action=op, **target, expected_version=envelope.get("expected_version"))
    fields = envelope["product"]
    if op == "update":
        current = existing.get(envelope["id"]) if "id" in envelope else existing.get(("sku", envelope["sku"]))
    elif op == "upsert" and isinstance(fields.get("sku"), str):
        current = existing.get(("sku", fields["sku"]))
    else:  # a creation, or an upsert whose sku is no text: ProductSerializer says so
        current = None
    serializer = ProductSerializer(
        current, data=fields, partial=current is not None or op == "update", context={"preloaded": preloaded}
    )
    if not serializer.is_valid():
        return services.BulkOperation(action=op, **target, rejected=(400, {"product": serializer.errors}))
    return services.BulkOperation(
        action=op,
        **target,
        fields=serializer.validated_data,
        expected_version=envelope.get("expected_version"),
    )


class InventoryBulkSerializer(BulkRequestSerializer):
    """Into services.InventoryChange, each item validated by InventoryChangeSerializer."""

    def items_to_internal(self, items: list[Any]) -> list[services.InventoryChange]:
        changes = []
        for item in items:
            serializer = InventoryChangeSerializer(data=item)
            if serializer.is_valid():
                fields = dict(serializer.validated_data)
                changes.append(services.InventoryChange(sku=fields.pop("sku"), fields=fields))
            else:
                sku = item.get("sku") if isinstance(item, dict) else None
                changes.append(
                    services.InventoryChange(
                        sku=sku if isinstance(sku, str) else "", rejected=(400, serializer.errors)
                    )
                )
        return changes


class BulkItemAnswerSerializer(serializers.Serializer):
    """One item's answer, in the order of the request (as Elasticsearch's bulk API answers)."""

    op = serializers.CharField(required=False, help_text="products/bulk: the operation.")
    status = serializers.IntegerField(
        help_text="The HTTP status the item alone would have had: 201 created, 200 updated, deleted "
        "or unchanged; 400 invalid, 403 not permitted, 404 not found, 409 a second operation on one "
        "product, 412 stale expected_version."
    )
    result = serializers.ChoiceField(
        choices=["created", "updated", "deleted", "noop"],
        required=False,
        help_text="What happened; `noop`: the product already held these values, its version stays.",
    )
    id = serializers.IntegerField(required=False, help_text="The product's id.")
    sku = serializers.CharField(required=False)
    version = serializers.IntegerField(required=False, help_text="The product's version after the item.")
    error = serializers.JSONField(
        required=False,
        help_text="When status >= 400: field errors ({field: [reasons]}, a product's under "
        "`product`), or {detail, code}.",
    )


class BulkAnswerSerializer(serializers.Serializer):
    # A declared field, which DRF's metaclass takes off the class: no clash with Serializer.errors.
    errors = serializers.BooleanField(help_text="Whether any item was refused.")  # type: ignore[assignment]
    items = BulkItemAnswerSerializer(many=True)


# --- feed imports -------------------------------------------------------------------------------


class ImportRequestSerializer(serializers.Serializer):
    """The body of `POST /api/imports/` (multipart/form-data)."""

    file = serializers.FileField(
        help_text="A CSV (.csv) or JSON lines (.jsonl, .ndjson) feed; see the README."
    )
    create_missing = serializers.BooleanField(
        default=False, help_text="Create the brands and categories the feed names by unknown slugs."
    )
    dry_run = serializers.BooleanField(default=False, help_text="Validate and count; write nothing.")

    def validate_file(self, value: Any) -> Any:
        if not value.name.lower().endswith(validators.FEED_SUFFIXES):
            raise serializers.ValidationError("Expected a .csv, .jsonl or .ndjson file.")
        if value.size > settings.CATALOG_IMPORT_MAX_BYTES:
            raise serializers.ValidationError(
                f"At most {settings.CATALOG_IMPORT_MAX_BYTES} bytes (CATALOG_IMPORT_MAX_BYTES); "
                f"this file has {value.size}."
            )
        return value


class ImportJobSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField(
        help_text="rows, created, updated, unchanged, rejected; once done."
    )
    report = serializers.SerializerMethodField(help_text="URL of the report, once done.")

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "filename",
            "state",
            "dry_run",
            "create_missing",
            "rows_total",
            "rows_done",
            "counts",
            "report",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_counts(self, job: ImportJob) -> dict[str, int] | None:
        if job.report is None:
            return None
        return {name: job.report[name] for name in ("rows", "created", "updated", "unchanged", "rejected")}

    def get_report(self, job: ImportJob) -> str | None:
        return f"/api/imports/{job.pk}/report/" if job.report is not None else None


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.ListField(
        child=serializers.CharField(),
        help_text='The path to the value: `["name"]`, `["attributes", "color"]`, `["translations", "de", '
        '"name"]`, `["variants", "<sku>", "price"]`; `["variants", "<sku>"]` for a variant added or '
        "removed whole.",
    )
    before = serializers.JSONField(help_text="The value before the command; null: none (or empty).")
    after = serializers.JSONField(help_text="The value after it; null: none (or empty).")


class ProductChangeSerializer(serializers.ModelSerializer):
    changes = FieldChangeSerializer(
        many=True,
        help_text="Each value the command changed (prices as text, the brand and category by slug). "
        "A creation lists the product's values; a deletion the product's own fields as they were.",
    )

    class Meta:
        model = ProductChange
        fields = [
            "id",
            "product_id",
            "sku",
            "version",
            "action",
            "channel",
            "user_id",
            "username",
            "changed_at",
            "changes",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "version": {"help_text": "The version the command made (a deletion: its tombstone's)."},
            "user_id": {"help_text": "The user who made it (an API token's user); null: no user."},
        }
