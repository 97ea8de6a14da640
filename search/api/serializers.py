"""Query parameters of the read side (validated here, so every bad one is a 400 naming it) and
the shapes of its answers (for the OpenAPI schema)."""

from typing import Any

from django.http import QueryDict
from rest_framework import serializers

from search.exceptions import InvalidCursor
from search.paging import MAX_RESULT_WINDOW, Cursor, PageRequest
from search.query_building import LIST_ORDERINGS, ORDERINGS, ProductFilters

MAX_PAGE_SIZE = 100
MAX_QUERY_LENGTH = 256
ATTRIBUTE_PREFIX = "attr."


class QueryParamsSerializer(serializers.Serializer):
    """The parameters of a query string, built from a request's QueryDict: repeatable ones are
    list fields, and a parameter that is not a field is a 400 naming it (a misspelt filter must
    not silently return everything)."""

    def __init__(self, *args: Any, query: QueryDict | None = None, **kwargs: Any) -> None:
        if query is None:  # the schema generator builds one without a request
            super().__init__(*args, **kwargs)
            return
        super().__init__(*args, data=self._from_query(query), **kwargs)
        self._query = query

    def _from_query(self, query: QueryDict) -> dict[str, Any]:
        return {name: query.getlist(name) if self._is_list(name) else query.get(name) for name in query}

    def _is_list(self, name: str) -> bool:
        return isinstance(self.fields.get(name), serializers.ListField)

    def _accepts(self, name: str) -> bool:
        return name in self.fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(name for name in self._query if not self._accepts(name))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown parameter."] for name in unknown})
        return attrs


class ListParamsSerializer(QueryParamsSerializer):
    page = serializers.IntegerField(
        min_value=1, required=False, default=1, help_text="Page number, for the first 10,000 results."
    )
    page_size = serializers.IntegerField(
        min_value=1, max_value=MAX_PAGE_SIZE, required=False, default=20, help_text="Results per page."
    )
    cursor = serializers.CharField(required=False, help_text="Opaque; copy it from a `next` link.")
    ordering = serializers.ChoiceField(
        choices=LIST_ORDERINGS,
        required=False,
        default="-created_at",
        help_text="Sort order; ties are broken by id, so pages never overlap.",
    )
    brand = serializers.ListField(
        child=serializers.SlugField(), required=False, help_text="Brand slug; repeat for several."
    )
    category = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        help_text="Category slug (includes its descendants); repeat for several.",
    )
    min_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text="Lowest price, inclusive."
    )
    max_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text="Highest price, inclusive."
    )
    in_stock = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Only products in stock, or out of it."
    )
    tag = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        help_text="Tag; repeat to require several.",
    )
    is_active = serializers.ChoiceField(
        choices=["true", "false", "all"],
        required=False,
        default="true",
        help_text="`false` and `all` need the catalog.change_product permission.",
    )

    def _accepts(self, name: str) -> bool:
        return super()._accepts(name) or name.startswith(ATTRIBUTE_PREFIX)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        attributes = tuple(
            (name.removeprefix(ATTRIBUTE_PREFIX), value)
            for name in self._query
            if name.startswith(ATTRIBUTE_PREFIX)
            for value in self._query.getlist(name)
        )
        if any(not name or len(name) > 100 for name, _ in attributes):
            raise serializers.ValidationError(
                {"attr": ["Use attr.<name>=<value> with a name of 1-100 characters."]}
            )
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"min_price": ["Must not be greater than max_price."]})
        attrs["attributes"] = attributes
        if "cursor" in attrs:
            try:
                cursor = Cursor.decode(attrs["cursor"])
            except InvalidCursor as error:
                raise serializers.ValidationError({"cursor": [str(error)]}) from error
            if cursor.ordering != attrs["ordering"]:
                raise serializers.ValidationError({"cursor": ["Written for another ordering."]})
            attrs["cursor"] = cursor
        elif attrs["page"] * attrs["page_size"] > MAX_RESULT_WINDOW:
            raise serializers.ValidationError(
                {"page": ["Too deep for page numbers; follow the `next` links, which use a cursor."]}
            )
        return attrs

    def filters(self) -> ProductFilters:
        data = self.validated_data
        return ProductFilters(
            brands=tuple(data.get("brand", ())),
            categories=tuple(data.get("category", ())),
            min_price=data.get("min_price"),
            max_price=data.get("max_price"),
            in_stock=data.get("in_stock"),
            tags=tuple(data.get("tag", ())),
            attributes=data["attributes"],
            active=data["is_active"],
        )

    def page_request(self) -> PageRequest:
        data = self.validated_data
        return PageRequest(page_size=data["page_size"], page=data["page"], cursor=data.get("cursor"))


class SearchParamsSerializer(ListParamsSerializer):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, help_text="What the shopper typed.")
    ordering = serializers.ChoiceField(choices=tuple(ORDERINGS), required=False, default="relevance")


class SuggestParamsSerializer(QueryParamsSerializer):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, help_text="What the shopper has typed so far.")


class DetailParamsSerializer(QueryParamsSerializer):
    min_version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Wait (up to 5 s) until the read side holds at least this version.",
    )


# --- answer shapes (schema only) -----------------------------------------------------------


class BrandRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class CategoryRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    path = serializers.ListField(child=serializers.CharField(), help_text="Names from the root down.")


class ProductDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    brand = BrandRefSerializer(allow_null=True)
    category = CategoryRefSerializer()
    price = serializers.CharField(help_text='Two decimal places, e.g. "19.99".')
    currency = serializers.CharField()
    stock = serializers.IntegerField()
    in_stock = serializers.BooleanField()
    tags = serializers.ListField(child=serializers.CharField())
    attributes = serializers.DictField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    indexed_at = serializers.DateTimeField()


class HighlightSerializer(serializers.Serializer):
    name = serializers.ListField(child=serializers.CharField())
    description = serializers.ListField(child=serializers.CharField())


class SearchHitSerializer(ProductDocumentSerializer):
    score = serializers.FloatField()
    highlight = HighlightSerializer()


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class PriceBandSerializer(serializers.Serializer):
    to = serializers.CharField(allow_null=True)
    count = serializers.IntegerField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.CharField(allow_null=True)
        return fields


class StockCountsSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {"true": serializers.IntegerField(), "false": serializers.IntegerField()}


class FacetsSerializer(serializers.Serializer):
    brand = FacetValueSerializer(many=True)
    category = FacetValueSerializer(many=True)
    price = PriceBandSerializer(many=True)
    in_stock = StockCountsSerializer()


class ProductPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProductDocumentSerializer(many=True)


class SearchPageSerializer(ProductPageSerializer):
    results = SearchHitSerializer(many=True)
    facets = FacetsSerializer()


class SuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    brand = BrandRefSerializer(allow_null=True)
    category = BrandRefSerializer()


class SuggestionsSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True)
