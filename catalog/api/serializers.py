"""Input validation and output shape of the write-side commands."""

from typing import Any

from rest_framework import serializers

from catalog import validators
from catalog.models import Brand, Category, Product
from catalog.services import PRODUCT_FIELDS


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


class ProductSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    brand = serializers.SlugRelatedField(
        slug_field="slug", queryset=Brand.objects.all(), allow_null=True, required=False
    )
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    currency = serializers.CharField(
        min_length=3, max_length=3, required=False, validators=[validators.validate_currency]
    )
    tags = serializers.ListField(
        child=StrictCharField(min_length=1, max_length=validators.MAX_TAG_LENGTH, trim_whitespace=False),
        max_length=validators.MAX_TAGS,
        required=False,
    )
    attributes = serializers.DictField(
        child=StrictCharField(
            allow_blank=True, max_length=validators.MAX_ATTRIBUTE_VALUE_LENGTH, trim_whitespace=False
        ),
        required=False,
    )

    class Meta:
        model = Product
        fields = ["id", *PRODUCT_FIELDS, "version", "created_at", "updated_at"]
        read_only_fields = ["id", "version", "created_at", "updated_at"]
        extra_kwargs = {"description": {"max_length": validators.MAX_DESCRIPTION_LENGTH}}

    def validate_attributes(self, value: dict[str, str]) -> dict[str, str]:
        validators.validate_attributes(value)
        return value


class BrandSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = ["name", "slug", "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]
        extra_kwargs = {"slug": {"required": False}}


class CategorySerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Category
        fields = ["name", "slug", "parent", "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]
        extra_kwargs = {"slug": {"required": False}}
