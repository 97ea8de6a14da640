"""Merchandising rules on the read side: for a query (matched exactly, or contained as whole
words), staff pin products to the top in a given order and hide others, optionally within a
time window. Which rules apply to a query, from the published ones."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import configuration
from .text import contains_words, normalized


@dataclass
class Merchandising:
    """What the rules that apply to one query ask: pinned ids in order, hidden ids, and which
    rules (by code) asked it."""

    pinned: list[int] = field(default_factory=list)
    hidden: list[int] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def current_rules() -> list[dict[str, Any]]:
    """The published rules: {code, query, match ("exact"/"contains"), pinned, hidden, starts_at,
    ends_at (ISO 8601 or null)}."""
    return configuration.current().get("merchandising", [])


def _applies(rule: dict[str, Any], query: str, now: datetime) -> bool:
    if rule["starts_at"] and datetime.fromisoformat(rule["starts_at"]) > now:
        return False
    if rule["ends_at"] and datetime.fromisoformat(rule["ends_at"]) <= now:
        return False
    if rule["match"] == "exact":
        return query == rule["query"]
    return contains_words(query, rule["query"]) is not None


def applying(*, text: str, rules: list[dict[str, Any]], now: datetime) -> Merchandising:
    """The pins and hides of every rule that applies to `text` now; the first rule (by code)
    to pin or hide a product decides, and a product is never both pinned and hidden."""
    query = normalized(text)
    result = Merchandising()
    for rule in rules:
        if not _applies(rule, query, now):
            continue
        result.rules.append(rule["code"])
        for product_id in rule["hidden"]:
            if product_id not in result.pinned and product_id not in result.hidden:
                result.hidden.append(product_id)
        for product_id in rule["pinned"]:
            if product_id not in result.pinned and product_id not in result.hidden:
                result.pinned.append(product_id)
    return result
