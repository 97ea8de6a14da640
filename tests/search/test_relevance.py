"""The relevance set: queries a shopper types, each with the product(s) they mean, over a fixed
catalog (the first 500 demo products plus the hand-written ones in relevance_catalog.json) with
the shop's synonym rules (relevance_synonyms.json), as staff would write them.

The share of queries whose intended product comes first, and in the top 5, is what the project
claims (README, docs/benchmarks.md): the test prints it for the whole set and for each half (see
the terminal summary) and fails when it drops below the claim. Half of the cases (`"set":
"held-out"`) are never looked at when the query code is tuned, so their figure tells how the
ranking does on queries it was not fitted to; the report lists the misses of the tuning half
only. Each case's `expect` names the intended products either by sku or by what they are: words
all in the name (accents ignored), brand name, category name.
"""

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from catalog import services
from catalog.models import Product
from projection import search_configuration
from tests.search.conftest import load_demo_catalog, relevance_report

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HERE = Path(__file__).resolve().parent
CASES = json.loads((HERE / "relevance_cases.json").read_text())
HAND_WRITTEN = json.loads((HERE / "relevance_catalog.json").read_text())
SHOP_SYNONYMS = json.loads((HERE / "relevance_synonyms.json").read_text())
DEMO_PRODUCTS = 500
TOP = 5
# The claimed figures, over the whole set: intended product first, and in the top 5 (82 and
# 83 of the 85 cases: the README's 96% and 98%).
CLAIMED_FIRST = 0.96
CLAIMED_TOP = 0.97
# Probe queries (relevance_probes.json), written after the judged set by people who did not see
# it, in ten rounds: rounds 1-4, 6, 7 and 9 found faults that were mended (so the ranking has
# been fitted to them, like the tuning half); rounds 5, 8 and 10 were searched once, unchanged,
# before they were added. Round 7's irregular plural ("child" for *Children*) is mended by the
# English analysis' irregular plurals; round 9's two words, one of which no product has
# ("sneekers stride"), by answering such a query with the other word, which mended round 7's
# "stove for campers" and "silentkeys keyboard" too; round 9's "headtorches" by typo tolerance in
# the name's joined words. Left as found: abbreviations ("anc", "pd"), needs in words no product
# field has ("reduce wrist strain", "clicker for powerpoint slides"), a synonym the shop has not
# defined ("hydration pack" for a vest, "crock pot" for a slow cooker). None repeats a judged
# query. Claimed: the intended product first for 489 of the 500, in the top 5 for 494.
PROBES = json.loads((HERE / "relevance_probes.json").read_text())
CLAIMED_PROBES_FIRST = 489
CLAIMED_PROBES_TOP = 494


def _words(text: str) -> set[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return set(re.findall(r"[a-z0-9]+", folded))


def _intended(expect: dict[str, Any], catalog: list[Product]) -> set[str]:
    def meant(product: Product) -> bool:
        return (
            product.is_active
            and ("skus" not in expect or product.sku in expect["skus"])
            and _words(" ".join(expect.get("name_has", []))) <= _words(product.name)
            and ("brand" not in expect or (product.brand and product.brand.name == expect["brand"]))
            and ("category" not in expect or product.category.name == expect["category"])
        )

    return {product.sku for product in catalog if meant(product)}


def test_shoppers_find_what_they_mean(search_index, api, settings):
    # given a fixed catalog of more than 500 products, and the shop's synonyms in effect
    catalog = _relevance_catalog(settings)

    # when each query of the set is searched as a shopper would
    ranks = _ranks(api, CASES, catalog)

    # then the intended product comes first, or at least in the top 5, as often as claimed
    first, in_top = _shares(ranks)
    misses = Counter(case["kind"] for case, rank, _ in ranks if rank != 1)
    halves = {
        name: _shares([entry for entry in ranks if entry[0]["set"] == name])
        for name in ("tuning", "held-out")
    }
    summary = (
        f"relevance: {len(ranks)} queries over {len(catalog)} products: intended product first "
        f"{first:.0%}, in top {TOP} {in_top:.0%}; not first by kind: {dict(misses) or 'none'}; "
        + "; ".join(f"{name} half {a:.0%} / {b:.0%}" for name, (a, b) in halves.items())
    )
    # Only the tuning half's misses are listed: whoever tunes the ranking reads this report, and
    # must not see which held-out queries fail.
    details = [
        f"  {'-' if rank is None else rank} {case['kind']:<12} {case['query']!r} -> {top}"
        for case, rank, top in ranks
        if rank != 1 and case["set"] == "tuning"
    ]
    relevance_report.extend([summary, *details])
    assert first >= CLAIMED_FIRST and in_top >= CLAIMED_TOP, "\n".join([summary, *details])


def test_probe_queries_written_apart_from_the_judged_set_find_what_they_mean(search_index, api, settings):
    # given the same catalog and synonyms
    catalog = _relevance_catalog(settings)

    # when each probe query is searched as a shopper would
    ranks = _ranks(api, PROBES, catalog)

    # then the intended product comes first, or in the top 5, for as many as claimed
    first, in_top = _shares(ranks)
    found = (round(first * len(ranks)), round(in_top * len(ranks)))
    by_round = Counter(case["round"] for case, _, _ in ranks)
    summary = (
        f"probes: {len(ranks)} queries written apart from the judged set (rounds {dict(by_round)}): "
        f"intended product first for {found[0]} ({first:.0%}), in top {TOP} for {found[1]} ({in_top:.0%})"
    )
    details = [
        f"  {'-' if rank is None else rank} round {case['round']} {case['kind']} {case['query']!r} -> {top}"
        for case, rank, top in ranks
        if rank != 1
    ]
    relevance_report.extend([summary, *details])
    assert found == (CLAIMED_PROBES_FIRST, CLAIMED_PROBES_TOP), "\n".join([summary, *details])


def _relevance_catalog(settings) -> list[Product]:
    """Loads the relevance catalog and publishes the shop's synonyms; its products."""
    load_demo_catalog(DEMO_PRODUCTS, extra=HAND_WRITTEN)
    settings.SEARCH_CONFIGURATION_CACHE_SECONDS = 0
    for rule in SHOP_SYNONYMS:
        services.synonym_create(rule=rule)
    assert search_configuration.publish()
    catalog = list(Product.objects.select_related("brand", "category"))
    assert len(catalog) >= 500
    return catalog


def _ranks(
    api, cases: list[dict[str, Any]], catalog: list[Product]
) -> list[tuple[dict[str, Any], int | None, list[str]]]:
    """Each case, the rank of its first intended product in the top TOP (None when none is), and
    the top TOP's skus."""
    ranks: list[tuple[dict[str, Any], int | None, list[str]]] = []
    for case in cases:
        intended = _intended(case["expect"], catalog)
        assert intended, f"no active product in the catalog matches the intent of {case}"
        response = api.get("/api/products/search/", {"q": case["query"], "page_size": TOP})
        assert response.status_code == 200, (case, response.json())
        top = [hit["sku"] for hit in response.json()["results"]]
        rank = next((position for position, sku in enumerate(top, 1) if sku in intended), None)
        ranks.append((case, rank, top))
    return ranks


def _shares(ranks: list[tuple[dict[str, Any], int | None, list[str]]]) -> tuple[float, float]:
    """The share of `ranks` with the intended product first, and in the top TOP."""
    return (
        sum(rank == 1 for _, rank, _ in ranks) / len(ranks),
        sum(rank is not None for _, rank, _ in ranks) / len(ranks),
    )
