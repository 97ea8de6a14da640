"""Query parameters of the read side's endpoints: validated here, before Elasticsearch is asked
anything, so every bad one is a 400 naming it; the serializers also document them in the
OpenAPI schema."""

import math
import re
import unicodedata
from typing import Any

from django.conf import settings
from django.http import QueryDict
from rest_framework import serializers
from rest_framework.settings import api_settings

from search import languages
from search.exceptions import InvalidCursor
from search.paging import MAX_RESULT_WINDOW, Cursor
from search.query_building import LIST_ORDERINGS, ORDERINGS, NumberRange, ProductFilters
from search.text import MAX_QUERY_LENGTH
from shared.serializers import ReusedFieldsMixin

MAX_PAGE_SIZE = 100
ATTRIBUTE_PREFIX = "attr."
OPTION_PREFIX = "option."
RANGE_BOUNDS = ("gte", "lte", "lt")
# Option axis names as the write side allows them; at most this many axes and values each.
OPTION_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
MAX_OPTION_FILTERS = 5
MAX_OPTION_VALUES = 20


class QueryParamsSerializer(ReusedFieldsMixin, serializers.Serializer):
    """The parameters of a query string, built from a request's QueryDict: repeatable ones are
    list fields, and a parameter that is not a field is a 400 naming it (a misspelt filter must
    not silently return everything)."""

    def __init__(self, *, query: QueryDict | None = None, **kwargs: Any) -> None:
        if query is None:  # the schema generator builds one without a request
            super().__init__(**kwargs)
            return
        super().__init__(data=self._from_query(query), **kwargs)
        self._query = query

    def _from_query(self, query: QueryDict) -> dict[str, Any]:
        return {name: query.getlist(name) if self._is_list(name) else query.get(name) for name in query}

    def _is_list(self, name: str) -> bool:
        return isinstance(self.fields.get(name), serializers.ListField)

    def _accepts(self, name: str) -> bool:
        # `?format=json|api` picks the renderer (DRF's URL_FORMAT_OVERRIDE), not a filter.
        return name in self.fields or name == api_settings.URL_FORMAT_OVERRIDE

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(name for name in self._query if not self._accepts(name))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown parameter."] for name in unknown})
        return attrs


class ProductReadParamsSerializer(QueryParamsSerializer):
    """The parameters of every read of products: the language to answer in."""

    lang = serializers.CharField(
        required=False,
        help_text="The language of the names and descriptions, one of CATALOG_LANGUAGES (e.g. `de`); "
        "without it, the first of them `Accept-Language` names, else the default (the first). A text "
        "not translated into it is answered, and searched, in the default language.",
    )

    def validate_lang(self, value: str) -> str:
        if value not in settings.CATALOG_LANGUAGES:
            raise serializers.ValidationError(
                f"Unknown language '{value}': this catalog has {', '.join(settings.CATALOG_LANGUAGES)}."
            )
        return value

    def language(self, accept_language: str | None) -> str:
        """The language asked for: `lang`, else the request's Accept-Language header's."""
        return self.validated_data.get("lang") or languages.preferred(accept_language)


class ListParamsSerializer(ProductReadParamsSerializer):
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
        return super()._accepts(name) or name.startswith((ATTRIBUTE_PREFIX, OPTION_PREFIX))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        attributes, attribute_ranges = self._attributes()
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"min_price": ["Must not be greater than max_price."]})
        attrs["attributes"] = attributes
        attrs["attribute_ranges"] = attribute_ranges
        attrs["options"] = self._options()
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

    def _attributes(
        self,
    ) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[NumberRange, ...]]:
        """`attr.<code>=<value>[,<value>...]` (one of the values; repeat the parameter to require
        several) and `attr.<code>__gte=` / `__lte=` / `__lt=` (a number attribute's range; `__lt`
        selects exactly a range bucket of the facets, whose upper bounds are exclusive)."""
        values: list[tuple[str, tuple[str, ...]]] = []
        bounds: dict[str, dict[str, float]] = {}
        for name in self._query:
            if not name.startswith(ATTRIBUTE_PREFIX):
                continue
            code, _, bound = name.removeprefix(ATTRIBUTE_PREFIX).partition("__")
            if not code or len(code) > 100 or bound not in ("", *RANGE_BOUNDS):
                raise serializers.ValidationError(
                    {
                        "attr": [
                            f"{name}: use attr.<code>=<value>, attr.<code>__gte=<n>, attr.<code>__lte=<n> "
                            "or attr.<code>__lt=<n>, "
                            "with a code of 1-100 characters."
                        ]
                    }
                )
            for given in self._query.getlist(name):
                if bound:
                    try:
                        number = float(given)
                    except ValueError:
                        number = math.nan
                    if not math.isfinite(number):
                        raise serializers.ValidationError({name: [f"Expected a number, not {given!r}."]})
                    bounds.setdefault(code, {})[bound] = number
                else:
                    accepted = tuple(dict.fromkeys(value for value in given.split(",") if value))
                    if not accepted:
                        raise serializers.ValidationError({name: ["Give at least one value."]})
                    values.append((code, accepted))
        ranges = tuple(NumberRange(code, **given) for code, given in bounds.items())
        return tuple(values), ranges

    def _options(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """`option.<name>=<value>[,<value>...]`: a variant with one of the values on that axis."""
        options = []
        for name in self._query:
            if not name.startswith(OPTION_PREFIX):
                continue
            axis = name.removeprefix(OPTION_PREFIX)
            values = tuple(
                dict.fromkeys(
                    value.strip()
                    for given in self._query.getlist(name)
                    for value in given.split(",")
                    if value.strip()
                )
            )
            if not OPTION_NAME.match(axis):
                raise serializers.ValidationError(
                    {name: ["Use option.<name>=<value> with a name of lower-case letters, digits, - or _."]}
                )
            if not values or len(values) > MAX_OPTION_VALUES or any(len(value) > 100 for value in values):
                raise serializers.ValidationError(
                    {name: [f"Give 1 to {MAX_OPTION_VALUES} comma-separated values of up to 100 characters."]}
                )
            options.append((axis, values))
        if len(options) > MAX_OPTION_FILTERS:
            raise serializers.ValidationError({"option": [f"At most {MAX_OPTION_FILTERS} option filters."]})
        return tuple(options)

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
            attribute_ranges=data["attribute_ranges"],
            options=data["options"],
            active=data["is_active"],
        )


class TypedTextField(serializers.CharField):
    """What a shopper typed, in Unicode's composed form (NFC), as keyboards type it and the
    catalog's texts are written; Elasticsearch's stock analysis does not compose. Pasted
    decomposed text ("u" and a combining diaeresis for "ü", as macOS file names hold it) then
    finds the same products, and suggestions, which match word starts exactly, at all."""

    def to_internal_value(self, data: Any) -> str:
        return unicodedata.normalize("NFC", super().to_internal_value(data))


class SearchParamsSerializer(ListParamsSerializer):
    q = TypedTextField(max_length=MAX_QUERY_LENGTH, help_text="What the shopper typed.")
    ordering = serializers.ChoiceField(choices=tuple(ORDERINGS), required=False, default="relevance")
    autocorrect = serializers.BooleanField(
        required=False,
        default=True,
        help_text="When `q` finds nothing, answer its correction's products (named by "
        "`showing_results_for`), else those matching most of its words, or any (`matched_most_words`); "
        '`false` answers exactly `q` (a shopper\'s "search instead for").',
    )


class SuggestParamsSerializer(ProductReadParamsSerializer):
    q = TypedTextField(max_length=MAX_QUERY_LENGTH, help_text="What the shopper has typed so far.")


class DetailParamsSerializer(ProductReadParamsSerializer):
    min_version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Answer with at least this version: signed-in callers wait for it (5 s by "
        "default), anonymous ones get 409 at once when the read side does not hold it yet.",
    )
    ref = TypedTextField(
        max_length=MAX_QUERY_LENGTH,
        required=False,
        help_text="The search query whose results led here: counted as a click for the analytics.",
    )
