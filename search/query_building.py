"""Elasticsearch request bodies for the read side's queries, and the facets read back from the
aggregations they ask for: pure functions of the query's input, no I/O.

User text only ever reaches `match`-family queries and `term` queries, never a query-string
syntax, so quotes, wildcards, brackets and boolean words are searched as plain text.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any

from . import languages
from .document import option_pair, split_option_pair

MAX_QUERY_TERMS = 12
# A longer word matches without typos: Lucene's typo automaton grows with the word, and one
# random word of 256 letters took Elasticsearch 513 ms against 6 ms exactly (10 letters: 19 ms),
# an anonymous search costing half a second of a core. Product words are shorter, compounds
# included ("geschirrspülmaschine" has 20 letters).
MAX_FUZZY_WORD_LENGTH = 24
# A word of at least this many characters also matches as the start of a word of the name,
# with this constant score: enough to rank such products, less than any whole-word match.
MIN_PREFIX_LENGTH = 3
PREFIX_SCORE = 1.0
# How many of a query's words (stop words left out) a product must match when none matches them
# all: every word of up to 2, two of 3 to 5, two fifths (rounded down) of more. Shoppers'
# sentences carry words no product has ("i want a helmet for my bike rides": i, want, my), so
# the share falls as the query grows; those matching more words rank first.
MOST_WORDS = "2<67% 4<40%"
# When no product has that many either, one word: a gift or a question names the product in one
# word of many ("present for a yoga beginner", "how can i boost my wifi signal upstairs"). One
# word is weak evidence, so it must name the product (name, brand, category, tags) as typed: a
# typo, a word's start ("can" for "Cancelling") or a description's word let half of a catalog in.
ANY_WORD = "1"
# The shares tried in turn when no product matches every word.
FEWER_WORDS = (MOST_WORDS, ANY_WORD)
# A shopper's "X for Y" names the product before the word and its use after it ("kettle for a
# coffee dripper", "sleeping pad for a two person tent"), so the words before the first of these
# weigh HEAD_WEIGHT times as much. Per language; a language not listed weighs every word alike.
USE_WORDS = {"en": frozenset({"for", "with", "that", "to"})}
# Words before a use word that name no product: "present for a yoga beginner" wants a yoga mat,
# not the Presenter Remote.
NOT_THE_PRODUCT = {
    "en": frozenset(
        {"gift", "gifts", "present", "presents", "something", "anything", "idea", "ideas", "stuff"}
    )
}
HEAD_WEIGHT = 2

ORDERINGS: dict[str, list[dict[str, str]]] = {
    "relevance": [{"_score": "desc"}, {"id": "desc"}],
    "price": [{"price_cents": "asc"}, {"id": "asc"}],
    "-price": [{"price_cents": "desc"}, {"id": "desc"}],
    "name": [{"name.sort": "asc"}, {"id": "asc"}],
    "-name": [{"name.sort": "desc"}, {"id": "desc"}],
    "created_at": [{"created_at": "asc"}, {"id": "asc"}],
    "-created_at": [{"created_at": "desc"}, {"id": "desc"}],
    "updated_at": [{"updated_at": "asc"}, {"id": "asc"}],
    "-updated_at": [{"updated_at": "desc"}, {"id": "desc"}],
}
LIST_ORDERINGS = tuple(name for name in ORDERINGS if name != "relevance")
# How many names a correction by sound takes its words from.
SOUNDS_LIKE_NAMES = 20
SUGGESTION_ORDER = [{"_score": "desc"}, {"name.sort": "asc"}, {"id": "asc"}]

# Fixed price bands for the price facet, in cents (upper bound exclusive; None = open).
PRICE_BANDS: tuple[tuple[int | None, int | None], ...] = (
    (None, 2_500),
    (2_500, 5_000),
    (5_000, 10_000),
    (10_000, 25_000),
    (25_000, 50_000),
    (50_000, None),
)

# A pinned product's score step: above any score text relevance reaches, so pins come first.
PIN_SCORE = 1_000_000
# The name of the phrase suggestion in did_you_mean_query's answer.
CORRECTIONS = "corrections"

SEARCH_FIELDS = [
    "name^4",
    # Unstemmed, so a typo is measured against the word as written: "mechanicl" is one edit
    # from "mechanical" but three from its stem "mechan".
    "name.exact^2",
    # The name's words split at case changes, digits and hyphens, and whole again.
    "name.parts",
    "brand.name^3",
    "sku.text^3",
    "category.name^2",
    "tags.text^2",
    "attribute_text",
    "category.path",
    "description",
]
# With another language chosen, the default language's texts (all an untranslated product has)
# count half as much as the chosen language's; brand, sku, category and tags count as always.
FALLBACK_SEARCH_FIELDS = [
    "name^2",
    "name.exact",
    "name.parts",
    "brand.name^3",
    "sku.text^3",
    "category.name^2",
    "tags.text^2",
    "attribute_text",
    "category.path",
    "description^0.5",
]


def search_fields(language: str) -> list[str]:
    """The fields a search in `language` matches, with their weights."""
    if language == languages.default():
        return SEARCH_FIELDS
    own = languages.translation_field(language)
    return [f"{own}.name^4", f"{own}.name.exact^2", f"{own}.description", *FALLBACK_SEARCH_FIELDS]


def head_words(text: str, language: str) -> frozenset[str]:
    """The words of `text` (lower case) before its first use word, which name what the shopper
    wants; none when it has no use word in `language` or nothing before it but NOT_THE_PRODUCT."""
    words = text.lower().split()
    use_words = USE_WORDS.get(language, frozenset())
    for position, word in enumerate(words):
        if word in use_words:
            return frozenset(words[:position]) - NOT_THE_PRODUCT.get(language, frozenset())
    return frozenset()


def naming_fields(language: str) -> list[str]:
    """The fields of search_fields(language) that name a product: not its description, nor its
    attributes' values."""
    descriptions = {"description", f"{languages.translation_field(language)}.description", "attribute_text"}
    return [field for field in search_fields(language) if field.split("^")[0] not in descriptions]


def _name_field(language: str) -> str:
    """The field of the name shown in `language` (its translation, for other languages)."""
    return "name" if language == languages.default() else f"{languages.translation_field(language)}.name"


@dataclass(frozen=True)
class NumberRange:
    """A number attribute's range filter: each bound optional, `lt` for a facet's range bucket."""

    code: str
    gte: float | None = None
    lte: float | None = None
    lt: float | None = None


@dataclass(frozen=True)
class ProductFilters:
    brands: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None
    tags: tuple[str, ...] = ()
    # Attribute code -> accepted values (one must match); each entry must hold.
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Ranges of number attributes; each must hold.
    attribute_ranges: tuple[NumberRange, ...] = ()
    # Option axis -> accepted values: one variant must have an accepted value on every axis.
    options: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # "true" (storefront default), "false" or "all"; the API allows the last two to staff only.
    active: str = "true"


# The inner hits that carry a product's variants matching the filters.
MATCHING_VARIANTS = "matching_variants"
# As many as a product may have (catalog.validators.MAX_VARIANTS), Elasticsearch's default cap.
MAX_INNER_VARIANTS = 100
OPTION_VALUES_PER_FACET = 200
ATTRIBUTE_FACETS = 30
ATTRIBUTE_FACET_VALUES = 50
# A number attribute's facet splits its range into about this many buckets of a "nice" width.
NUMBER_BUCKETS = 5
# The widths a bucket may have, times a power of ten: 1, 2, 2.5, 5, 10, 20, 25, 50, ...
NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def list_query(filters: ProductFilters) -> dict[str, Any]:
    """The products the filters select, unscored (ordering and paging are added by paging)."""
    return {"query": {"bool": {"filter": _filter_clauses(filters), "should": _matching_variants(filters)}}}


def sort(ordering: str, filters: ProductFilters, *, language: str) -> list[dict[str, Any]]:
    """The sort of `ordering`. A price order under variant filters sorts each product by the
    lowest price of its variants that match them, not of all its variants; a name order sorts
    by the names shown in `language`."""
    _, variant_parts = _facet_parts(filters)
    if ordering in ("name", "-name"):
        return _by_shown_name(ORDERINGS[ordering], language)
    if not variant_parts or ordering not in ("price", "-price"):
        return ORDERINGS[ordering]
    price, tie_break = ORDERINGS[ordering]
    ((_, direction),) = price.items()
    nested_price = {
        "variants.price_cents": {
            "order": direction,
            "mode": "min",
            "nested": {"path": "variants", "filter": {"bool": {"filter": list(variant_parts.values())}}},
        }
    }
    return [nested_price, tie_break]


def _by_shown_name(order: list[dict[str, str]], language: str) -> list[dict[str, str]]:
    """`order` with the name sort in `language`: its translations, else the default's names."""
    if language == languages.default():
        return order
    shown = f"{languages.translation_field(language)}.name_sort"
    return [{shown if field == "name.sort" else field: way for field, way in key.items()} for key in order]


def search_query(
    text: str,
    filters: ProductFilters,
    *,
    language: str,
    alternatives: list[str] | None = None,
    pinned: list[int] | None = None,
    hidden: list[int] | None = None,
    words_required: str | None = None,
    typed: str | None = None,
) -> dict[str, Any]:
    """The products matching `text` (or one of its synonym `alternatives`) in `language` and
    the filters, with highlights and facet aggregations (ordering and paging are added by
    paging); with `words_required` (one of FEWER_WORDS), those matching that many of its words
    rather than all. The head words of what the shopper `typed` (`text` when not given; `text`
    may be its words less stop words) weigh more. Merchandising:
    `pinned` products come first, in their order, when they meet the filters, whether or not
    they match the text; `hidden` ones never come."""
    texts = [text, *(alternatives or [])]
    head = head_words(text if typed is None else typed, language)
    matching = (
        _text_query(text, language, words_required=words_required, head=head)
        if len(texts) == 1
        else {
            "dis_max": {
                "queries": [_text_query(t, language, words_required=words_required, head=head) for t in texts]
            }
        }
    )
    pinned = pinned or []
    if pinned:
        pins = [
            {
                "constant_score": {
                    "filter": {"ids": {"values": [str(product_id)]}},
                    "boost": PIN_SCORE * (len(pinned) - rank),
                }
            }
            for rank, product_id in enumerate(pinned)
        ]
        matching = {"bool": {"should": [matching, *pins], "minimum_should_match": 1}}
    return {
        "query": {
            "bool": {
                "must": [matching],
                "should": [*_ranking_boosters(text, language), *_matching_variants(filters)],
                "filter": _filter_clauses(filters, include_facet_filters=False),
                "must_not": [{"ids": {"values": [str(product_id) for product_id in hidden or []]}}],
            }
        },
        # Facets count what the other choices allow, not their own (post-filter faceting).
        "post_filter": {"bool": {"filter": _facet_filters(filters)}},
        "aggs": _facet_aggregations(filters),
        "highlight": _highlight(" ".join(texts), language),
    }


def did_you_mean_query(text: str, *, language: str) -> dict[str, Any]:
    """Corrections of `text` from the catalog's own words (the names' in `language`): a phrase
    suggester, whose candidates the caller keeps only if they find products."""
    exact = f"{_name_field(language)}.exact"
    return {
        "size": 0,
        "suggest": {
            "text": text,
            CORRECTIONS: {
                "phrase": {
                    "field": exact,
                    "size": 3,
                    "max_errors": 2,
                    "confidence": 0.0,
                    # prefix_length 0: a misspelt first letter ("nife") is corrected too.
                    "direct_generator": [
                        {"field": exact, "suggest_mode": "always", "min_word_length": 3, "prefix_length": 0}
                    ],
                }
            },
        },
    }


def sounds_like_query(keys: list[str], *, language: str) -> dict[str, Any]:
    """Storefront products whose name shown in `language` has words sounding like `keys`
    (search.sounds), those with the most of them first; only their names are read."""
    name = _name_field(language)
    return {
        "query": {
            "bool": {
                "should": [{"constant_score": {"filter": {"term": {f"{name}_sounds": key}}}} for key in keys],
                "minimum_should_match": 1,
                "filter": _filter_clauses(ProductFilters()),
            }
        },
        "_source": list(dict.fromkeys(["name", name])),
        "size": SOUNDS_LIKE_NAMES,
    }


def count_query(text: str, filters: ProductFilters, *, language: str) -> dict[str, Any]:
    """How many products `text` finds with the filters: a candidate correction must find some."""
    return {
        "query": {
            "bool": {
                "must": [_text_query(text, language)],
                "filter": [*_filter_clauses(filters, include_facet_filters=False), *_facet_filters(filters)],
            }
        }
    }


def suggest_query(text: str, limit: int, *, language: str) -> dict[str, Any]:
    """Up to `limit` storefront products with words of the name shown in `language` starting
    with the words typed, reading only the fields a suggestion shows."""
    name = _name_field(language)
    # The name shown, and the default language's (shown where a translation has none).
    names = list(dict.fromkeys([name, "name"]))
    starts: dict[str, Any] = {"match": {"name.prefix": {"query": text, "operator": "and"}}}
    if name != "name":
        untranslated = {"bool": {"must": [starts], "must_not": [{"exists": {"field": name}}]}}
        translated = {"match": {f"{name}.prefix": {"query": text, "operator": "and"}}}
        starts = {"bool": {"should": [translated, untranslated], "minimum_should_match": 1}}
    return {
        "query": {
            "bool": {
                "must": [starts],
                "should": [{"match_phrase_prefix": {f"{field}.exact": {"query": text}}} for field in names],
                "filter": _filter_clauses(ProductFilters()),
            }
        },
        "sort": _by_shown_name(SUGGESTION_ORDER, language),
        "_source": ["id", *names, "brand", "category.slug", "category.name"],
        "size": limit,
    }


def _highlight(text: str, language: str) -> dict[str, Any]:
    """What matched in the name and the description: of the default language, and with another
    language chosen also of its translations (search.queries shows those the product has)."""
    fields = _highlighted_texts(text, "name", "description")
    if language != languages.default():
        own = languages.translation_field(language)
        fields |= _highlighted_texts(text, f"{own}.name", f"{own}.description")
    return {
        "pre_tags": ["<em>"],
        "post_tags": ["</em>"],
        "require_field_match": False,
        "fields": fields,
    }


def _highlighted_texts(text: str, name: str, description: str) -> dict[str, Any]:
    return {
        # Highlights use the words as typed and the starts of words ("<em>Mechanical</em>"
        # for "mech"), not the fuzzy expansions of the main query: highlighting those
        # took 10 to 70 times longer than the search itself (docs/benchmarks.md), so a
        # word matched only through a typo is found but not marked.
        name: {
            "number_of_fragments": 0,
            "require_field_match": True,
            "matched_fields": [name, f"{name}.exact", f"{name}.prefix"],
            "highlight_query": {
                "bool": {
                    "should": [
                        {"match": {name: {"query": text}}},
                        {"match": {f"{name}.prefix": {"query": text}}},
                    ]
                }
            },
        },
        description: {
            "fragment_size": 160,
            "number_of_fragments": 2,
            "highlight_query": {"match": {description: {"query": text}}},
        },
    }


def too_long_for_typos(text: str) -> bool:
    """Whether a word of `text` is longer than MAX_FUZZY_WORD_LENGTH, so matches only as typed."""
    return any(len(word) > MAX_FUZZY_WORD_LENGTH for word in text.split())


def _text_query(
    text: str, language: str, *, words_required: str | None = None, head: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Every word must match some field (brand + type: "acme headphones"), each typo-tolerant:
    words of up to 3 letters must match exactly, longer ones allow one or two edits, and the
    first letter must match so fuzziness cannot turn short words into noise. Words with a digit
    (skus, model numbers, sizes) are never fuzzy: "0000204" must not find "0000104"; nor are
    words longer than MAX_FUZZY_WORD_LENGTH. A word may also be the start of a word of the name
    ("mech keyb"; the last word however short: "desk lamp wi"), which counts for little; and
    words written apart in the query but as one in the name ("wi fi", "Wifi") match as well, as
    do a word that the name writes apart ("powerbank", "Power Bank"). A word written apart from
    its neighbour where the product writes them as one ("pbt key caps" for "PBT keycaps")
    matches as that one word, so the other words of the query still have to match. With
    `words_required`, that many of the words must match (Elasticsearch's minimum_should_match),
    and products matching more rank higher; with ANY_WORD, each word as typed, in a field that
    names the product. A word among the `head` words weighs HEAD_WEIGHT times as much."""
    words = text.split()[:MAX_QUERY_TERMS]
    joined = [left + right for left, right in pairwise(words)]
    per_word = [
        _word_query(
            word,
            language,
            joined_with_neighbours=joined[max(position - 1, 0) : position + 1],
            last=position == len(words) - 1,
        )
        if words_required != ANY_WORD
        else _naming_word_query(word, language)
        for position, word in enumerate(words)
    ]
    per_word = [
        {"bool": {"must": clause, "boost": HEAD_WEIGHT}} if word.lower() in head else clause
        for word, clause in zip(words, per_word, strict=True)
    ]
    return {
        "bool": {
            "must": {
                "bool": {
                    "should": [
                        {"bool": {"must": per_word}}
                        if words_required is None
                        else {"bool": {"should": per_word, "minimum_should_match": words_required}},
                        {"term": {"sku": {"value": text.strip(), "boost": 50}}},
                        {
                            "nested": {
                                "path": "variants",
                                "query": {"term": {"variants.sku": {"value": text.strip()}}},
                                "score_mode": "max",
                                "boost": 50,
                            }
                        },
                    ],
                    "minimum_should_match": 1,
                }
            },
            # The query's words written as one in the name ("wi fi" for "Wifi") rank it higher;
            # they do not make it match, or "trail runner" would let the TrailRunner shoe match
            # any query that has those two words among others.
            "should": {"match": {"name.joined": {"query": text, "boost": 4}}},
        }
    }


def _naming_word_query(word: str, language: str) -> dict[str, Any]:
    """`word` as typed, in a field that names the product (ANY_WORD)."""
    return {
        "multi_match": {
            "query": word,
            "fields": naming_fields(language),
            "type": "best_fields",
            "tie_breaker": 0.3,
            "operator": "and",
        }
    }


def _word_query(word: str, language: str, *, joined_with_neighbours: list[str], last: bool) -> dict[str, Any]:
    fuzziness = (
        0 if too_long_for_typos(word) or any(character.isdigit() for character in word) else "AUTO:4,8"
    )
    clauses: list[dict[str, Any]] = [
        {
            "multi_match": {
                "query": word,
                "fields": search_fields(language),
                "type": "best_fields",
                "tie_breaker": 0.3,
                # A word the analyzer splits ("usb-c", "kep-0000003") is matched whole.
                "operator": "and",
                "fuzziness": fuzziness,
                "prefix_length": 1,
                "zero_terms_query": "all",
            }
        }
    ]
    # The word written as one where the name has two or three ("powerbank", "Power Bank"), as
    # typo-tolerant as any word (and so in the plural: "headtorches", "Head Torch"); and the
    # word's parts joined where the name writes them as one ("wi-fi", "Wifi").
    clauses.append({"match": {"name.shingles": {"query": word, "fuzziness": fuzziness, "prefix_length": 1}}})
    clauses.append({"match": {"name.joined": {"query": word}}})
    # The word joined with the word before or after it, as typed: typos are not looked for in
    # a word the shopper did not write.
    clauses.extend(
        {
            "multi_match": {
                "query": one_word,
                "fields": search_fields(language),
                "type": "best_fields",
                "operator": "and",
            }
        }
        for one_word in joined_with_neighbours
    )
    # The last word may be one the shopper is still typing ("desk lamp wi"), however short.
    if len(word) >= MIN_PREFIX_LENGTH or last:
        name_starts: dict[str, Any] = {"match": {"name.prefix": {"query": word, "operator": "and"}}}
        if language != languages.default():
            name_starts = {
                "multi_match": {
                    "query": word,
                    "fields": [f"{_name_field(language)}.prefix", "name.prefix"],
                    "operator": "and",
                }
            }
        clauses.append({"constant_score": {"filter": name_starts, "boost": PREFIX_SCORE}})
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def _ranking_boosters(text: str, language: str) -> list[dict[str, Any]]:
    """Exact (unfuzzed) matches and whole phrases rank above fuzzy and scattered ones; in
    another language than the default, a phrase of the default language's name half as much."""
    phrases = [{"match_phrase": {"name.exact": {"query": text, "slop": 1, "boost": 8}}}]
    if language != languages.default():
        phrases = [
            {"match_phrase": {f"{_name_field(language)}.exact": {"query": text, "slop": 1, "boost": 8}}},
            {"match_phrase": {"name.exact": {"query": text, "slop": 1, "boost": 4}}},
        ]
    return [
        {"term": {"sku": {"value": text.strip(), "boost": 100}}},
        *phrases,
        # The product type: a query that names a category ("laptop") ranks its products above
        # accessories whose names mention it ("Laptop Sleeve").
        {
            "match": {
                "category.name": {
                    "query": text,
                    "fuzziness": 0 if too_long_for_typos(text) else "AUTO:4,8",
                    "prefix_length": 1,
                    "boost": 3,
                }
            }
        },
        {
            "multi_match": {
                "query": text,
                "fields": search_fields(language),
                "type": "cross_fields",
                "operator": "and",
                "boost": 2,
            }
        },
    ]


def _base_clauses(active: str) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = [{"bool": {"must_not": [{"term": {"deleted": True}}]}}]
    if active != "all":
        clauses.append({"term": {"is_active": active == "true"}})
    return clauses


def _facet_parts(filters: ProductFilters) -> tuple[dict[str, Any], dict[str, Any]]:
    """The faceted choices, by facet name: those about the product as a whole, and those one
    of its variants must meet (price, in stock, options), all of them the same variant."""
    product: dict[str, Any] = {}
    variant: dict[str, Any] = {}
    if filters.brands:
        product["brand"] = {"terms": {"brand.slug": list(filters.brands)}}
    if filters.categories:
        product["category"] = {"terms": {"category.path_slugs": list(filters.categories)}}
    if filters.min_price is not None or filters.max_price is not None:
        bounds = {}
        if filters.min_price is not None:
            bounds["gte"] = int(filters.min_price * 100)
        if filters.max_price is not None:
            bounds["lte"] = int(filters.max_price * 100)
        variant["price"] = {"range": {"variants.price_cents": bounds}}
    if filters.in_stock:
        variant["in_stock"] = {"term": {"variants.in_stock": True}}
    elif filters.in_stock is False:
        product["in_stock"] = {"term": {"in_stock": False}}
    for axis, values in filters.options:
        pairs = [option_pair(axis, value) for value in values]
        variant[f"option.{axis}"] = {"terms": {"variants.option_pairs": pairs}}
    # An attribute's value and range filters, as one choice: its facet counts without them.
    per_attribute: dict[str, list[dict[str, Any]]] = {}
    for code, accepted in filters.attributes:
        per_attribute.setdefault(code, []).append({"terms": {f"attributes.{code}": list(accepted)}})
    for number_range in filters.attribute_ranges:
        per_attribute.setdefault(number_range.code, []).append(_attribute_range(number_range))
    for code, clauses in per_attribute.items():
        product[_attribute_facet(code)] = clauses[0] if len(clauses) == 1 else {"bool": {"filter": clauses}}
    return product, variant


def _attribute_facet(code: str) -> str:
    """The facet name of an attribute with a filter of its own: its choice's key among the
    faceted choices, which its own aggregation leaves out."""
    return f"attr.{code}"


def _facet_filters(filters: ProductFilters, *, excluding: str | None = None) -> list[dict[str, Any]]:
    """The faceted choices but the `excluding` facet's own, as filter clauses."""
    product, variant = _facet_parts(filters)
    clauses = [clause for name, clause in product.items() if name != excluding]
    variant_clauses = [clause for name, clause in variant.items() if name != excluding]
    if variant_clauses:
        clauses.append({"nested": {"path": "variants", "query": {"bool": {"filter": variant_clauses}}}})
    return clauses


def _matching_variants(filters: ProductFilters) -> list[dict[str, Any]]:
    """An optional clause that changes neither matches nor scores, only collects the variants
    that meet the variant filters, so that each hit shows those (none without such filters)."""
    _, variant = _facet_parts(filters)
    if not variant:
        return []
    return [
        {
            "nested": {
                "path": "variants",
                "query": {"bool": {"filter": list(variant.values())}},
                "score_mode": "none",
                "inner_hits": {"name": MATCHING_VARIANTS, "size": MAX_INNER_VARIANTS},
            }
        }
    ]


def _filter_clauses(filters: ProductFilters, *, include_facet_filters: bool = True) -> list[dict[str, Any]]:
    clauses = _base_clauses(filters.active)
    clauses += [{"term": {"tags": tag}} for tag in filters.tags]
    if include_facet_filters:
        clauses += _facet_filters(filters)
    return clauses


def _attribute_range(number_range: NumberRange) -> dict[str, Any]:
    bounds = {
        key: bound
        for key, bound in (("gte", number_range.gte), ("lte", number_range.lte), ("lt", number_range.lt))
        if bound is not None
    }
    return {
        "nested": {
            "path": "attribute_values",
            "query": {
                "bool": {
                    "filter": [
                        {"term": {"attribute_values.code": number_range.code}},
                        {"range": {"attribute_values.number": bounds}},
                    ]
                }
            },
        }
    }


def _facet_aggregations(filters: ProductFilters) -> dict[str, Any]:
    """One aggregation per facet, over the products the other facets' choices allow. Facets on
    variants count products (reverse_nested), through the variants meeting the other choices."""
    _, variant = _facet_parts(filters)

    def over_products(facet: str, aggregation: dict[str, Any]) -> dict[str, Any]:
        return {
            "filter": {"bool": {"filter": _facet_filters(filters, excluding=facet)}},
            "aggs": {"values": aggregation},
        }

    def over_variants(facet: str, aggregation: dict[str, Any]) -> dict[str, Any]:
        per_product = {**aggregation, "aggs": {"products": {"reverse_nested": {}}}}
        others = [clause for name, clause in variant.items() if name != facet]
        return over_products(
            facet,
            {
                "nested": {"path": "variants"},
                "aggs": {
                    "matching": {
                        "filter": {"bool": {"filter": others}},
                        "aggs": {"buckets": per_product},
                    }
                },
            },
        )

    def option_values(axis: str | None) -> dict[str, Any]:
        terms: dict[str, Any] = {"field": "variants.option_pairs", "size": OPTION_VALUES_PER_FACET}
        if axis is not None:
            terms["include"] = f"{option_pair(axis, '')}.*"
        return {"terms": terms}

    aggregations = {
        "brand": over_products(
            "brand",
            {
                "terms": {"field": "brand.slug", "size": 50},
                "aggs": {"label": {"terms": {"field": "brand.name.keyword", "size": 1}}},
            },
        ),
        "category": over_products(
            "category",
            {
                "terms": {"field": "category.slug", "size": 50},
                "aggs": {"label": {"terms": {"field": "category.name.keyword", "size": 1}}},
            },
        ),
        "price": over_variants(
            "price",
            {
                "range": {
                    "field": "variants.price_cents",
                    "ranges": [
                        {key: bound for key, bound in (("from", low), ("to", high)) if bound is not None}
                        for low, high in PRICE_BANDS
                    ],
                }
            },
        ),
        "in_stock": over_products("in_stock", {"terms": {"field": "in_stock", "size": 2}}),
        # Every axis, counted under all choices; an axis with a choice of its own is counted
        # again below without it, so its other values keep their counts (disjunctive).
        "options": over_variants("options", option_values(None)),
        # The filterable attributes of the products found: their values (texts, choices, yes/no)
        # and the range of the numbers, each counted in products, under all choices; an
        # attribute with a choice of its own is counted again below without it (disjunctive).
        "attributes": over_products("attributes", _attribute_values(None)),
    }
    for axis, _ in filters.options:
        aggregations[f"option.{axis}"] = over_variants(f"option.{axis}", option_values(axis))
    # Named by position: a code in a filter may hold characters an aggregation's name may not.
    for position, code in enumerate(_filtered_attributes(filters)):
        aggregations[f"attr.{position}"] = over_products(_attribute_facet(code), _attribute_values(code))
    return aggregations


def _filtered_attributes(filters: ProductFilters) -> list[str]:
    """The codes of the attributes with a filter of their own, each once."""
    codes = [code for code, _ in filters.attributes] + [ranged.code for ranged in filters.attribute_ranges]
    return list(dict.fromkeys(codes))


def _attribute_values(code: str | None) -> dict[str, Any]:
    """The values and number statistics of every filterable attribute (or of `code` only)."""
    codes: dict[str, Any] = {"field": "attribute_values.code", "size": ATTRIBUTE_FACETS}
    if code is not None:
        codes["include"] = [code]
    return {
        "nested": {"path": "attribute_values"},
        "aggs": {
            "filterable": {
                "filter": {"term": {"attribute_values.filterable": True}},
                "aggs": {
                    "codes": {
                        "terms": codes,
                        "aggs": {
                            "values": {
                                "terms": {"field": "attribute_values.text", "size": ATTRIBUTE_FACET_VALUES},
                                "aggs": {"products": {"reverse_nested": {}}},
                            },
                            "numbers": {"stats": {"field": "attribute_values.number"}},
                        },
                    }
                },
            }
        },
    }


def facets(aggregations: dict[str, Any], filters: ProductFilters) -> dict[str, Any]:
    """The facets of a search answer, from the aggregations `search_query` asked for with
    `filters`."""

    def labelled(name: str) -> list[dict[str, Any]]:
        return [
            {
                "value": bucket["key"],
                "label": (bucket["label"]["buckets"] or [{"key": bucket["key"]}])[0]["key"],
                "count": bucket["doc_count"],
            }
            for bucket in aggregations[name]["values"]["buckets"]
        ]

    def per_product(name: str) -> list[dict[str, Any]]:
        return aggregations[name]["values"]["matching"]["buckets"]["buckets"]

    def money(cents: float | None) -> str | None:
        return None if cents is None else f"{Decimal(int(cents)) / 100:.2f}"

    stock_counts = {
        bucket["key_as_string"]: bucket["doc_count"]
        for bucket in aggregations["in_stock"]["values"]["buckets"]
    }

    def counted_in_products(value: str, bucket: dict[str, Any]) -> dict[str, Any]:
        """A facet value of a nested aggregation, counted in products (reverse_nested)."""
        return {"value": value, "label": value, "count": bucket["products"]["doc_count"]}

    options: dict[str, list[dict[str, Any]]] = {}
    for bucket in per_product("options"):
        axis, value = split_option_pair(bucket["key"])
        options.setdefault(axis, []).append(counted_in_products(value, bucket))
    for name in aggregations:
        if name.startswith("option."):
            options[name.removeprefix("option.")] = [
                counted_in_products(split_option_pair(bucket["key"])[1], bucket)
                for bucket in per_product(name)
            ]

    def attribute_codes(name: str) -> list[dict[str, Any]]:
        return aggregations[name]["values"]["filterable"]["codes"]["buckets"]

    def attribute(code: dict[str, Any]) -> dict[str, Any]:
        numbers = code["numbers"]
        return {
            "values": [counted_in_products(value["key"], value) for value in code["values"]["buckets"]],
            "min": numbers["min"] if numbers["count"] else None,
            "max": numbers["max"] if numbers["count"] else None,
            # Filled in by with_number_ranges, from a second request that needs min and max.
            "ranges": [],
        }

    attributes = {code["key"]: attribute(code) for code in attribute_codes("attributes")}
    for position, code in enumerate(_filtered_attributes(filters)):
        # An attribute with a filter of its own, counted without it: its one bucket, or none
        # when no product the other choices allow has it (or it is not filterable).
        own = attribute_codes(f"attr.{position}")
        if own:
            attributes[code] = attribute(own[0])
        else:
            attributes.pop(code, None)
    return {
        "brand": labelled("brand"),
        "category": labelled("category"),
        "price": [
            {
                "from": money(bucket.get("from")),
                "to": money(bucket.get("to")),
                "count": bucket["products"]["doc_count"],
            }
            for bucket in per_product("price")
        ],
        "in_stock": {
            "true": stock_counts.get("true", 0),
            "false": stock_counts.get("false", 0),
        },
        "options": options,
        "attributes": attributes,
    }


def nice_boundaries(low: float, high: float) -> list[float]:
    """About NUMBER_BUCKETS equal buckets covering `low` to `high`, each boundary a multiple of
    a round width (1, 2, 2.5 or 5 times a power of ten), so that 13.3 to 17.3 gives 13, 14, ...,
    18: the ends of the buckets, each bucket from one boundary (inclusive) to the next
    (exclusive). One boundary when all numbers are the same."""
    if high <= low:
        return [low]
    rough = (high - low) / NUMBER_BUCKETS
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(nice * magnitude for nice in NICE_STEPS if nice * magnitude >= rough * (1 - 1e-9))
    # Decimals enough for the width (2.5 needs one more than its power of ten), against float noise.
    digits = max(0, 1 - math.floor(math.log10(step)))
    first = math.floor(round(low / step, 9))
    boundaries = [round(first * step, digits)]
    while boundaries[-1] <= high:
        boundaries.append(round((first + len(boundaries)) * step, digits))
    return boundaries


def number_ranges_query(
    query: dict[str, Any], filters: ProductFilters, boundaries: dict[str, list[float]]
) -> dict[str, Any]:
    """Range buckets of number attributes, counted in products: a second request after the
    search (`query`, its request body), whose facets gave the numbers' lowest and highest that
    `boundaries` were chosen from. Each attribute is counted as its facet is, without its own
    filter (disjunctive)."""
    aggregations = {}
    for position, (code, edges) in enumerate(boundaries.items()):
        ranges = [
            {key: bound for key, bound in (("from", low), ("to", high)) if bound is not None}
            for low, high in zip(edges, [*edges[1:], None], strict=True)
            if high is not None or len(edges) == 1
        ]
        aggregations[f"ranges.{position}"] = {
            "filter": {"bool": {"filter": _facet_filters(filters, excluding=_attribute_facet(code))}},
            "aggs": {
                "values": {
                    "nested": {"path": "attribute_values"},
                    "aggs": {
                        "code": {
                            "filter": {"term": {"attribute_values.code": code}},
                            "aggs": {
                                "buckets": {
                                    "range": {"field": "attribute_values.number", "ranges": ranges},
                                    "aggs": {"products": {"reverse_nested": {}}},
                                }
                            },
                        }
                    },
                }
            },
        }
    return {"size": 0, "query": query["query"], "aggs": aggregations}


def number_boundaries(found: dict[str, Any]) -> dict[str, list[float]]:
    """The range buckets' boundaries of each number attribute in the facets `found`."""
    return {
        code: nice_boundaries(facet["min"], facet["max"])
        for code, facet in found["attributes"].items()
        if facet["min"] is not None
    }


def with_number_ranges(
    found: dict[str, Any], boundaries: dict[str, list[float]], aggregations: dict[str, Any]
) -> None:
    """Fill in the number attributes' range buckets of the facets `found`, from the answer to
    `number_ranges_query`."""
    for position, code in enumerate(boundaries):
        found["attributes"][code]["ranges"] = [
            {"from": bucket.get("from"), "to": bucket.get("to"), "count": bucket["products"]["doc_count"]}
            for bucket in aggregations[f"ranges.{position}"]["values"]["code"]["buckets"]["buckets"]
        ]
