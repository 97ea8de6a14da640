"""Synonym rules for search, as staff write them, in the Solr format Elasticsearch reads too:
`tv, television` (equivalent: each term finds the others) or `laptop => notebook` (one way: a
search for "laptop" also finds notebooks, not the reverse). Parsed here, so a malformed rule
is refused when it is written.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MAX_RULE_LENGTH = 1000
MAX_RULE_TERMS = 20
MAX_TERM_LENGTH = 50
ONE_WAY = "=>"
# A term starts with a letter or digit and holds letters, digits, spaces and the characters
# product names use inside words ("wi-fi", "o'neill", "2.5", "b&o", "c++").
_TERM = re.compile(r"^[^\W_](?:[^\W_]|[ \-'.&+])*$")


@dataclass(frozen=True)
class Rule:
    """A parsed rule: searching any of `terms` also finds `replacements` (one way), or each of
    `terms` finds all the others (equivalent, `replacements` empty)."""

    terms: tuple[str, ...]
    replacements: tuple[str, ...] = ()

    @property
    def one_way(self) -> bool:
        return bool(self.replacements)


def _terms(side: str, *, where: str) -> tuple[str, ...]:
    terms = tuple(" ".join(term.split()).lower() for term in side.split(","))
    for term in terms:
        if not term:
            raise ValidationError(f"Empty term {where}: terms are separated by single commas.")
        if len(term) > MAX_TERM_LENGTH:
            raise ValidationError(f'Term "{term[:20]}…" is longer than {MAX_TERM_LENGTH} characters.')
        if not _TERM.match(term):
            raise ValidationError(
                f'Term "{term}" may only hold letters, digits, spaces and - \' . & + inside words.'
            )
    if len(set(terms)) != len(terms):
        raise ValidationError(f"A term appears twice {where}.")
    return terms


def parse_rule(text: str) -> Rule:
    """The rule `text` states; ValidationError saying what is wrong with it otherwise."""
    if len(text) > MAX_RULE_LENGTH:
        raise ValidationError(f"A rule has at most {MAX_RULE_LENGTH} characters.")
    if "\n" in text or "\r" in text:
        raise ValidationError("A rule is one line; write each rule on its own.")
    sides = text.split(ONE_WAY)
    if len(sides) > 2:
        raise ValidationError(f'A rule has at most one "{ONE_WAY}".')
    if len(sides) == 2:
        rule = Rule(
            terms=_terms(sides[0], where=f'before "{ONE_WAY}"'),
            replacements=_terms(sides[1], where=f'after "{ONE_WAY}"'),
        )
        if set(rule.terms) & set(rule.replacements):
            raise ValidationError("A one-way rule's sides must differ.")
    else:
        rule = Rule(terms=_terms(text, where="in the rule"))
        if len(rule.terms) < 2:
            raise ValidationError(
                f'An equivalence needs two terms or more ("tv, television"), or use "{ONE_WAY}".'
            )
    if len(rule.terms) + len(rule.replacements) > MAX_RULE_TERMS:
        raise ValidationError(f"A rule has at most {MAX_RULE_TERMS} terms.")
    return rule


def validate_rule(value: str) -> None:
    parse_rule(value)
