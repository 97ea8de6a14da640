"""Synonym rules on the read side: the published ones, and the expansion of a query by them
(a search also searches the query rewritten by each rule that applies)."""

from typing import Any

from . import configuration
from .text import contains_words, normalized

# Searches for the original query plus at most this many rewritten ones.
MAX_ALTERNATIVES = 8


def current_rules() -> list[dict[str, Any]]:
    """The published rules: {"terms": [...], "replacements": [...]} (no replacements: an
    equivalence)."""
    return configuration.current().get("synonyms", [])


def alternatives(*, text: str, rules: list[dict[str, Any]]) -> list[str]:
    """The query `text` rewritten by each rule that applies to it: an equivalence's term
    replaced by each other term, a one-way rule's term by each replacement."""
    lowered = normalized(text)
    found: list[str] = []
    for rule in rules:
        for term in rule["terms"]:
            # The replacement takes the place of a plural too: the analysis of the words searched
            # for stems "televisions" and "television" alike.
            match = contains_words(lowered, term, plural=True)
            if match is None:
                continue
            others = rule["replacements"] or [other for other in rule["terms"] if other != term]
            for other in others:
                rewritten = f"{lowered[: match.start()]}{other}{lowered[match.end() :]}"
                if rewritten != lowered and rewritten not in found:
                    found.append(rewritten)
    return found[:MAX_ALTERNATIVES]
