"""Carries the synonym rules from MySQL to the read side: the whole set, re-read and published
after every committed change, and again by the relay whenever the published set differs from
MySQL's (a lost request, a publish that failed), so no change is lost.

Publishes take turns on a MySQL named lock and each reads the rules inside it, so the last one
to publish holds the newest rules: an older set can never replace a newer one.
"""

import hashlib
import json
from typing import Any

from catalog.models import SynonymRule
from catalog.synonyms import parse_rule
from catalog.transactions import named_lock
from search import synonyms

LOCK = "projection:synonyms"


def _rules() -> tuple[list[dict[str, Any]], str]:
    rules = []
    for text in SynonymRule.objects.order_by("code").values_list("rule", flat=True):
        parsed = parse_rule(text)
        rules.append({"terms": list(parsed.terms), "replacements": list(parsed.replacements)})
    fingerprint = hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()
    return rules, fingerprint


def publish() -> bool:
    """Publish MySQL's rules; False when another publish held the lock too long (it then
    publishes the newest rules itself, or the relay does)."""
    with named_lock(name=LOCK, wait_seconds=10) as acquired:
        if not acquired:
            return False
        rules, fingerprint = _rules()
        synonyms.publish(rules=rules, fingerprint=fingerprint)
        return True


def is_stale() -> bool:
    """The published set differs from MySQL's rules (or none was published while rules exist)."""
    rules, fingerprint = _rules()
    published = synonyms.published_fingerprint()
    return published != fingerprint and (published is not None or bool(rules))
