"""Read-side queries: get, list, search and suggest products, list brands and the category
tree, answered by Elasticsearch alone.

Each query builds its request body (`search.query_building`, `search.paging`,
`search.taxonomy`), sends it in one call to Elasticsearch (a search whose facets hold number
attributes makes a second, for their range buckets) and shapes the answer: products as
the documents are stored, less the fields that exist for querying only, with the name and
description in the language asked for (each falling back to the default language's); brands
and categories from aggregations over those products.
"""

import re
import time
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from elasticsearch import NotFoundError

from . import configuration, index, languages, merchandising, query_building, sounds, synonyms, taxonomy
from .client import get_client
from .document import INTERNAL_FIELDS, INTERNAL_SUBFIELDS
from .exceptions import elasticsearch_errors
from .paging import PageRequest, ResultPage, paged_body, result_page
from .query_building import ProductFilters
from .text import normalized

SUGGESTION_LIMIT = 10
# Options of the storefront's searches (list, search, suggest). Elasticsearch leaves out the parts
# of a response no answer uses, so nobody parses them (an exclusion: a filter naming what is used
# would also drop empty hit and bucket lists). Its shard request cache keeps their answers until
# the next refresh that changes the shard: popular queries repeat (by default it keeps only
# answers without hits, e.g. the brand and category aggregations).
STOREFRONT_SEARCH = {
    "filter_path": "-_shards,-timed_out,-hits.max_score,-hits.hits._index,-hits.hits._ignored",
    "request_cache": True,
}
# A search finding fewer products than this answers a corrected query too, when one finds more.
DID_YOU_MEAN_BELOW = 3


def get_product(
    *, product_id: int, include_inactive: bool = False, language: str | None = None
) -> dict[str, Any] | None:
    """A product in `language` (None: the default language)."""
    return shown_product(_source(product_id), include_inactive=include_inactive, language=language)


def shown_product(
    document: dict[str, Any] | None, *, include_inactive: bool = False, language: str | None = None
) -> dict[str, Any] | None:
    """The API's product from its stored document (a GET's `_source`, or None when there is
    none), or None when the caller may not see it."""
    if document is None or not _visible(document, include_inactive=include_inactive):
        return None
    return _public(document, language or languages.default())


def wait_for_version(
    *,
    product_id: int,
    min_version: int,
    include_inactive: bool = False,
    timeout: float = 5.0,
    language: str | None = None,
) -> tuple[dict[str, Any] | None, int | None]:
    """Read-your-writes: poll the real-time GET until the index holds `min_version` or newer,
    for at most `timeout` seconds (0: read once). Returns the document as the index last held
    it (None when it holds none, or one the caller may not see) and its version (None when it
    holds none); the caller compares that version with `min_version`."""
    deadline = time.monotonic() + timeout
    while True:
        source = _source(product_id)
        version = source["version"] if source else None
        if (version is not None and version >= min_version) or time.monotonic() >= deadline:
            if source is None or not _visible(source, include_inactive=include_inactive):
                return None, version
            return _public(source, language or languages.default()), version
        time.sleep(0.05)


def list_products(
    *,
    filters: ProductFilters,
    ordering: str = "-created_at",
    page: PageRequest,
    language: str | None = None,
) -> ResultPage:
    language = language or languages.default()
    sort = query_building.sort(ordering, filters, language=language)
    body = paged_body(query_building.list_query(filters), sort=sort, page=page)
    return result_page(
        _search(body, **STOREFRONT_SEARCH),
        ordering=ordering,
        page=page,
        result=lambda hit: _public_hit(hit, language),
    )


def search_products(
    *,
    text: str,
    filters: ProductFilters,
    ordering: str = "relevance",
    page: PageRequest,
    language: str | None = None,
    autocorrect: bool = True,
) -> ResultPage:
    """Products matching `text` in `language` (None: the default language), and, with less
    weight, in the default language. When `text` finds nothing and `autocorrect` is on, the
    products of its correction instead ("santoku nife" answers "santoku knife"), which the page's
    `showing_results_for` names, as a shop's search does rather than show an empty page; and
    when there is no correction either, the products matching most of its words
    (`matched_most_words`: "i want something to froth milk" finds the milk frother): MOST_WORDS
    of them, else any one ("present for a yoga beginner" finds yoga mats)."""
    language = language or languages.default()
    result = _searched_page(text=text, filters=filters, ordering=ordering, page=page, language=language)
    if page.cursor is None:
        result.suggestion = _correction(text, filters, language=language, finding_more_than=result.count)
    if autocorrect and result.count == 0 and result.suggestion is not None:
        corrected = result.suggestion["text"]
        result = _searched_page(
            text=corrected, filters=filters, ordering=ordering, page=page, language=language
        )
        result.showing_results_for = corrected
    if autocorrect and result.count == 0 and result.showing_results_for is None:
        for words, words_required in _fewer_words(text, language=language):
            most = _searched_page(
                text=words,
                filters=filters,
                ordering=ordering,
                page=page,
                language=language,
                words_required=words_required,
                typed=text,
            )
            if most.count:
                most.matched_most_words = True
                return most
    return result


def _fewer_words(text: str, *, language: str) -> Iterator[tuple[str, str]]:
    """The searches to try in turn when no product matches every word of `text` and no
    correction rescues it: its words less stop words, with each share of FEWER_WORDS of them
    required; of two words only any one ("sneekers stride" finds the Stride shoe), as most of
    two is both; none for one word."""
    words = _content_words(text, language=language)
    if len(words) < 2:
        return
    shares = query_building.FEWER_WORDS if len(words) >= 3 else (query_building.ANY_WORD,)
    for words_required in shares:
        yield " ".join(words), words_required


def _content_words(text: str, *, language: str) -> list[str]:
    """The words of `text` that `language`'s analysis keeps: not its stop words ("a", "for",
    "the"), which every product matches, so that counting them among the words a product has
    would let any product in."""
    with elasticsearch_errors():
        tokens = get_client().indices.analyze(
            index=index.alias_name(), analyzer=languages.text_search_analyzer(language), text=text
        )["tokens"]
    # Elasticsearch counts offsets in UTF-16 code units.
    kept = {token["start_offset"] for token in tokens}
    words = []
    for word in re.finditer(r"\S+", text):
        start = len(text[: word.start()].encode("utf-16-le")) // 2
        end = start + len(word.group().encode("utf-16-le")) // 2
        if any(start <= offset < end for offset in kept):
            words.append(word.group())
    return words


def _searched_page(
    *,
    text: str,
    filters: ProductFilters,
    ordering: str,
    page: PageRequest,
    language: str,
    words_required: str | None = None,
    typed: str | None = None,
) -> ResultPage:
    sort = query_building.sort(ordering, filters, language=language)
    query, _, _ = _storefront_query(
        text, filters, language=language, words_required=words_required, typed=typed
    )
    response = _search(paged_body(query, sort=sort, page=page), **STOREFRONT_SEARCH)
    result = result_page(
        response, ordering=ordering, page=page, result=lambda hit: _scored_hit(hit, language)
    )
    result.facets = query_building.facets(response["aggregations"], filters)
    boundaries = query_building.number_boundaries(result.facets)
    if boundaries:
        # Range buckets fit the numbers found, whose lowest and highest only this answer tells.
        ranges = _search(query_building.number_ranges_query(query, filters, boundaries), **STOREFRONT_SEARCH)
        query_building.with_number_ranges(result.facets, boundaries, ranges["aggregations"])
    _label_facets(result.facets, language)
    return result


def _storefront_query(
    text: str,
    filters: ProductFilters,
    *,
    language: str,
    words_required: str | None,
    typed: str | None = None,
) -> tuple[dict[str, Any], list[str], list[str]]:
    """The storefront search's query of `text` (as the shopper `typed` it, when `text` is its
    words less stop words) with the synonym rules and merchandising rules in effect; with the
    synonym alternatives and the codes of the rules that applied."""
    alternatives = synonyms.alternatives(text=text, rules=synonyms.current_rules())
    rules = merchandising.applying(text=text, rules=merchandising.current_rules(), now=timezone.now())
    query = query_building.search_query(
        text,
        filters,
        language=language,
        alternatives=alternatives,
        pinned=rules.pinned,
        hidden=rules.hidden,
        words_required=words_required,
        typed=typed,
    )
    return query, alternatives, rules.rules


def _label_facets(facets: dict[str, Any], language: str) -> None:
    """The names and value labels of the attribute facets (and their units), and of the option
    axes, in `language`, from the attribute definitions published with the search configuration
    (an option axis is labelled by the definition of its name's code): a text not translated
    into `language` is the default language's, and without that the code or value itself (no
    definition, no label, or before the first publish). Values stay as stored, for filters."""
    definitions = {
        definition["code"]: definition for definition in configuration.current().get("attributes", [])
    }

    def labelled(code: str, values: list[dict[str, Any]]) -> str:
        definition = definitions.get(code, {})
        # The default language has no translations (catalog.validators), so it reads the own texts.
        translated = definition.get("translations", {}).get(language, {})
        labels = {**definition.get("choice_labels", {}), **translated.get("choice_labels", {})}
        for value in values:
            value["label"] = labels.get(value["value"], value["value"])
        return translated.get("name") or definition.get("name") or code

    for code, facet in facets["attributes"].items():
        facet["name"] = labelled(code, facet["values"])
        facet["unit"] = definitions.get(code, {}).get("unit", "")
    facets["option_names"] = {axis: labelled(axis, values) for axis, values in facets["options"].items()}


def merchandising_in_effect(*, text: str) -> list[str]:
    """The codes of the merchandising rules that apply to a search for `text` now: a search's
    answer changes when they do, even while the index does not."""
    return merchandising.applying(text=text, rules=merchandising.current_rules(), now=timezone.now()).rules


def _correction(
    text: str, filters: ProductFilters, *, language: str, finding_more_than: int
) -> dict[str, Any] | None:
    """The best correction of `text` (`{text, count}`) that finds more products with the same
    filters, or None: the spell checker's corrections first, then, when none of those does, the
    words of the catalog that sound like the ones typed. A search that finds DID_YOU_MEAN_BELOW
    products or more (`finding_more_than`) has none."""
    if finding_more_than >= DID_YOU_MEAN_BELOW:
        return None
    for candidate in _corrections(text, language=language):
        if candidate == normalized(text):
            continue
        with elasticsearch_errors():
            count = get_client().count(
                index=index.alias_name(),
                **query_building.count_query(candidate, filters, language=language),
            )["count"]
        if count > finding_more_than:
            return {"text": candidate, "count": count}
    return None


def _corrections(text: str, *, language: str) -> Iterator[str]:
    """Candidate corrections of `text`, best first; the catalog is asked for the ones by sound
    only when the spell checker's are used up. A word longer than any product's (past
    MAX_FUZZY_WORD_LENGTH) has none: the spell checker's typo automaton would cost what the
    search's fuzziness did for it."""
    if query_building.too_long_for_typos(text):
        return
    suggested = _search(query_building.did_you_mean_query(text, language=language))["suggest"][
        query_building.CORRECTIONS
    ]
    yield from (option["text"] for option in (suggested[0]["options"] if suggested else []))
    typed = sounds.keys(text)
    if typed:
        hits = _search(query_building.sounds_like_query(typed, language=language))["hits"]["hits"]
        by_sound = sounds.corrected(text, names=[_shown_name(hit["_source"], language) for hit in hits])
        if by_sound is not None:
            yield by_sound


def _shown_name(document: dict[str, Any], language: str) -> str:
    return _translated(document, language).get("name") or document["name"]


def suggest_products(
    *, text: str, limit: int = SUGGESTION_LIMIT, language: str | None = None
) -> list[dict[str, Any]]:
    language = language or languages.default()
    response = _search(query_building.suggest_query(text, limit, language=language), **STOREFRONT_SEARCH)
    return [
        {
            "id": hit["_source"]["id"],
            "name": _shown_name(hit["_source"], language),
            "brand": hit["_source"]["brand"],
            "category": hit["_source"]["category"],
        }
        for hit in response["hits"]["hits"]
    ]


def list_brands() -> list[dict[str, Any]]:
    """Every brand with storefront products, by name: `{slug, name, count}`."""
    return taxonomy.brands(_search(taxonomy.brands_query())["aggregations"])


def category_tree() -> list[dict[str, Any]]:
    """The categories with storefront products, as a tree: `{slug, name, count, children}`,
    a category's count including its descendants' products."""
    return taxonomy.category_tree(_search(taxonomy.category_tree_query())["aggregations"])


def indexed_state(*, product_id: int) -> dict[str, Any] | None:
    """What the read side holds for a product, deleted or inactive included (for staff)."""
    source = _source(product_id, source_includes=["version", "indexed_at", "deleted"])
    if source is None:
        return None
    return {
        "version": source["version"],
        "indexed_at": source["indexed_at"],
        "deleted": bool(source.get("deleted")),
    }


def _source(product_id: int, **options: Any) -> dict[str, Any] | None:
    """The stored document of a product (a real-time GET), or None when there is none; of the
    response Elasticsearch sends only the document."""
    with elasticsearch_errors():
        try:
            return get_client().get(
                index=index.alias_name(), id=str(product_id), filter_path="_source", **options
            )["_source"]
        except NotFoundError:
            return None


def _search(body: dict[str, Any], **options: Any) -> dict[str, Any]:
    with elasticsearch_errors():
        return get_client().search(index=index.alias_name(), **body, **options).body


def _visible(document: dict[str, Any], *, include_inactive: bool) -> bool:
    """Tombstones are never shown; inactive products only to those who may see them."""
    return not document.get("deleted") and (document["is_active"] or include_inactive)


def _translated(document: dict[str, Any], language: str) -> dict[str, Any]:
    """A document's texts in `language` ({} for the default language, or none translated)."""
    if language == languages.default():
        return {}
    return document.get("translations", {}).get(language, {})


def _public(document: dict[str, Any], language: str) -> dict[str, Any]:
    """The API's product: in `language`, each text falling back to the default language's."""
    product = {key: value for key, value in document.items() if key not in INTERNAL_FIELDS}
    translated = _translated(document, language)
    for text in ("name", "description"):
        if translated.get(text):
            product[text] = translated[text]
    for name, hidden in INTERNAL_SUBFIELDS.items():
        value = product.get(name)
        if isinstance(value, dict):
            product[name] = _without(value, hidden)
        elif isinstance(value, list):
            product[name] = [_without(item, hidden) for item in value]
    return product


def _without(item: dict[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in hidden}


def _public_hit(hit: dict[str, Any], language: str) -> dict[str, Any]:
    """A listed product; when the query filtered on variants, it carries the matching ones only."""
    source = hit["_source"]
    matching = hit.get("inner_hits", {}).get(query_building.MATCHING_VARIANTS)
    if matching is not None:
        source = {**source, "variants": [inner["_source"] for inner in matching["hits"]["hits"]]}
    return _public(source, language)


def _scored_hit(hit: dict[str, Any], language: str) -> dict[str, Any]:
    """A search result: the product, its score and what matched in its name and description
    (in the texts shown: the translations it has in `language`, else the default's)."""
    product = _public_hit(hit, language)
    product["score"] = hit["_score"]
    highlight = hit.get("highlight", {})
    translated = _translated(hit["_source"], language)
    own = languages.translation_field(language)
    product["highlight"] = {
        text: highlight.get(f"{own}.{text}" if translated.get(text) else text, [])
        for text in ("name", "description")
    }
    return product


def ranked_product_ids(*, text: str, limit: int, include_inactive: bool = True) -> list[int]:
    """The ids of the `limit` products that best match `text`, best first (the admin's search
    box): the storefront search's matching and ranking, without facets or highlights."""
    filters = ProductFilters(active="all" if include_inactive else "true")
    alternatives = synonyms.alternatives(text=text, rules=synonyms.current_rules())
    query = query_building.search_query(
        text, filters, language=languages.default(), alternatives=alternatives
    )
    body = {
        "query": query["query"],
        "sort": query_building.ORDERINGS["relevance"],
        "size": limit,
        "_source": False,
    }
    return [int(hit["_id"]) for hit in _search(body)["hits"]["hits"]]


def explained_search(*, text: str, limit: int = 20, include_inactive: bool = False) -> dict[str, Any]:
    """A search as staff tune it (the admin's search preview): the synonym alternatives that
    applied, the merchandising rules that applied (by code), the first `limit` products, best
    first, each with its score, highlights and Elasticsearch's explanation of that score, and
    the correction shoppers are offered when it finds too few (`{text, count}`, else None); when
    nothing matches every word and there is no correction, the products matching most of them,
    as shoppers see them (`matched_most_words`)."""
    filters = ProductFilters(active="all" if include_inactive else "true")
    language = languages.default()
    search = _explained(text, filters, language=language, limit=limit, words_required=None)
    search["correction"] = _correction(text, filters, language=language, finding_more_than=search["count"])
    search["matched_most_words"] = False
    if search["count"] == 0 and search["correction"] is None:
        for words, words_required in _fewer_words(text, language=language):
            most = _explained(
                words, filters, language=language, limit=limit, words_required=words_required, typed=text
            )
            if most["count"]:
                return {**search, **most, "matched_most_words": True}
    return search


def _explained(
    text: str,
    filters: ProductFilters,
    *,
    language: str,
    limit: int,
    words_required: str | None,
    typed: str | None = None,
) -> dict[str, Any]:
    """The storefront search of `text` with its synonyms and merchandising rules, each hit
    explained: what `explained_search` shows."""
    query, alternatives, rule_codes = _storefront_query(
        text, filters, language=language, words_required=words_required, typed=typed
    )
    body = {
        "query": query["query"],
        "highlight": query["highlight"],
        "sort": query_building.ORDERINGS["relevance"],
        "size": limit,
        "track_total_hits": True,
        "explain": True,
    }
    response = _search(body)
    return {
        "alternatives": alternatives,
        "merchandising": rule_codes,
        "count": response["hits"]["total"]["value"],
        "results": [
            {**_scored_hit(hit, language), "explanation": hit["_explanation"]}
            for hit in response["hits"]["hits"]
        ],
    }
