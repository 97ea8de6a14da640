"""The shapes of the read side's answers, each defined once for both the OpenAPI schema and the
output: a serializer describes a shape to the schema generator, and the `*_body` function next
to it builds that shape for the view.

The serializers are never run over answers: products pass through as the dicts
`search.queries` returns (already in the API's shape), because serializing every document of
every page would cost time on the hot path and change nothing.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from search import document
from search.paging import ResultPage

from .pagination import PageEnvelopeSerializer


# The API's product: the public fields of the declared document (search.document).
class ProductDocumentSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {**document.api_fields(), **super().get_fields()}


def product_body(product: dict[str, Any]) -> dict[str, Any]:
    """A product's detail: the public document as it is."""
    return product


HIGHLIGHT_FRAGMENTS = (
    "Fragments of the text as stored, not HTML: the words that matched between `<em>` and `</em>`, "
    "and any other `<` or `&` is the product's own text. Escape the text (not the marks) before "
    "showing a fragment as HTML."
)


class HighlightSerializer(serializers.Serializer):
    name = serializers.ListField(child=serializers.CharField(), help_text=HIGHLIGHT_FRAGMENTS)
    description = serializers.ListField(child=serializers.CharField(), help_text=HIGHLIGHT_FRAGMENTS)


class SearchHitSerializer(ProductDocumentSerializer):
    score = serializers.FloatField()
    highlight = HighlightSerializer()


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="As stored: what a filter takes.")
    # A declared field, which DRF's metaclass takes off the class: no clash with Field.label.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="As shown, in the answer's language: a brand's or category's name; an attribute's "
        "or option's value as its definition labels it (`choice_labels`, translated), else the value."
    )
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


class NumberRangeSerializer(serializers.Serializer):
    to = serializers.FloatField(
        allow_null=True, help_text="Exclusive (`attr.<code>__lt=`); null: no upper end (all numbers equal)."
    )
    count = serializers.IntegerField(help_text="Products with a number in the range.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.FloatField(help_text="Inclusive (`attr.<code>__gte=`).")
        return fields


class AttributeFacetSerializer(serializers.Serializer):
    name = serializers.CharField(
        help_text="The attribute's name, as staff defined it, in the answer's language (the default "
        "language's when not translated; its code when undefined)."
    )
    unit = serializers.CharField(help_text="Its unit (number attributes), e.g. `in`; empty when none.")
    values = FacetValueSerializer(many=True)
    min = serializers.FloatField(allow_null=True, help_text="The lowest number (number attributes).")
    max = serializers.FloatField(allow_null=True, help_text="The highest number (number attributes).")
    ranges = NumberRangeSerializer(
        many=True,
        help_text="Number attributes: about five buckets of a round width (1, 2, 2.5 or 5 times a power "
        "of ten) from min to max, each with its product count; empty for other types.",
    )


class FacetsSerializer(serializers.Serializer):
    brand = FacetValueSerializer(many=True)
    category = FacetValueSerializer(many=True)
    price = PriceBandSerializer(many=True)
    in_stock = StockCountsSerializer()
    options = serializers.DictField(
        child=FacetValueSerializer(many=True),
        help_text="Per option axis (e.g. `size`), its values with the number of products that have "
        "a variant with that value among those the other choices allow.",
    )
    option_names = serializers.DictField(
        child=serializers.CharField(),
        help_text="Per option axis in `options`, its name as shown: the name of the attribute "
        "definition whose code is the axis (`/api/attributes/`), in the answer's language (else the "
        "default language's), or the axis itself when none is defined.",
    )
    attributes = serializers.DictField(
        child=AttributeFacetSerializer(),
        help_text="Per filterable attribute present in the results (`/api/attributes/`), its values "
        "with the number of products having each, and for numbers the lowest, the highest and range "
        "buckets. An attribute with a filter of its own is counted without that filter, under all "
        "the others (disjunctive), so the other values keep their counts.",
    )


class ProductPageSerializer(PageEnvelopeSerializer):
    results = ProductDocumentSerializer(many=True)


def page_body(envelope: dict[str, Any], page: ResultPage) -> dict[str, Any]:
    return {**envelope, "results": page.results}


class CorrectionSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The corrected query; search for it with `?q=`.")
    count = serializers.IntegerField(help_text="How many products it finds with the same filters.")


class SearchPageSerializer(ProductPageSerializer):
    results = SearchHitSerializer(many=True)
    facets = FacetsSerializer()
    suggestion = CorrectionSerializer(
        allow_null=True,
        help_text='"Did you mean": on a first page that found fewer than 3 products, a correction '
        "built from the catalog's own words that finds more; otherwise null.",
    )
    showing_results_for = serializers.CharField(
        allow_null=True,
        help_text="When `q` found nothing, the correction whose products this page shows instead "
        "(its `next` pages are the correction's); null when the results are `q`'s own.",
    )
    matched_most_words = serializers.BooleanField(
        help_text="True when no product matched every word of `q` and no correction found any, so "
        "this page shows the products matching most of its words other than stop words (of 3 or "
        "more: two of up to 5, two fifths of more; when none has that many, or `q` has two such "
        "words, any one word that names the product), those matching more first; false otherwise.",
    )


def search_body(envelope: dict[str, Any], page: ResultPage) -> dict[str, Any]:
    return {
        **envelope,
        "results": page.results,
        "facets": page.facets,
        "suggestion": page.suggestion,
        "showing_results_for": page.showing_results_for,
        "matched_most_words": page.matched_most_words,
    }


class SuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    brand = document.BrandRefSerializer(allow_null=True)
    category = document.BrandRefSerializer()


class SuggestionsSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True)


def suggestions_body(suggestions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"suggestions": suggestions}


class BrandCountSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField(help_text="Active products of the brand.")


class BrandListSerializer(serializers.Serializer):
    brands = BrandCountSerializer(many=True)


def brands_body(brands: list[dict[str, Any]]) -> dict[str, Any]:
    return {"brands": brands}


class CategoryNodeSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField(help_text="Active products in the category and the categories below it.")

    # The tree's recursion: declared in get_fields, as a class cannot name itself in its body.
    def get_fields(self) -> dict[str, serializers.Field]:
        return {**super().get_fields(), "children": CategoryNodeSerializer(many=True)}


class CategoryTreeSerializer(serializers.Serializer):
    categories = CategoryNodeSerializer(many=True, help_text="The top categories, by name.")


def category_tree_body(tree: list[dict[str, Any]]) -> dict[str, Any]:
    return {"categories": tree}


# An error answer: documented by its description, as the views document the others.
VERSION_NOT_INDEXED = OpenApiResponse(
    description="The index does not hold `min_version` yet (at once for anonymous callers, after "
    "the bounded wait for signed-in ones); carries `indexed_version`, with `Retry-After`."
)


def version_not_indexed_body(*, indexed: int | None, min_version: int) -> dict[str, Any]:
    return {
        "detail": f"The read side holds version {indexed}, not yet {min_version}.",
        "code": "version_not_indexed",
        "indexed_version": indexed,
    }
