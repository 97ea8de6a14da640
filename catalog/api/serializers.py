"""Input validation and output shape of the write-side commands."""

from typing import Any

from django.db import models
from rest_framework import serializers

from catalog import validators
from catalog.models import AttributeDefinition, Brand, Category, Product, ProductVariant, SynonymRule
from catalog.services import ATTRIBUTE_FIELDS, PRODUCT_FIELDS, SYNONYM_FIELDS, VARIANT_FIELDS


class RejectUnknownFieldsMixin:
    """A typo in a field name must be an error, not a silently ignored field."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = {name for name, f in self.fields.items() if not f.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """A string, and only a string: 5 or true are refused, not silently turned into text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CommandSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
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

    class Meta:
        model = AttributeDefinition
        fields = [*ATTRIBUTE_FIELDS, "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]


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
    brand = serializers.SlugRelatedField(
        slug_field="slug", queryset=Brand.objects.all(), allow_null=True, required=False
    )
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
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
        max_length=validators.MAX_VARIANTS,
        help_text="Matched by sku: new ones are created, the others changed; a PUT removes those "
        "it leaves out. Left out entirely, the product has one default variant.",
    )
    currency = serializers.CharField(
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
        extra_kwargs = {"description": {"max_length": validators.MAX_DESCRIPTION_LENGTH}}

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
    parent = serializers.SlugRelatedField(
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
