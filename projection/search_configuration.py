"""Carries the search configuration staff manage (synonym and merchandising rules, and the names,
units and choice labels of attributes in each language, which facets show) from MySQL to
the read side: the whole configuration, re-read and published after every committed change, and
again by the relay whenever the published one differs from MySQL's (a lost request, a publish
that failed), so no change is lost.

Publishes take turns on a MySQL named lock and each reads the rules inside it, so the last one
to publish holds the newest rules: an older configuration never replaces a newer one.
"""

import hashlib
import json
from typing import Any

from catalog.models import AttributeDefinition, MerchandisingRule, SynonymRule
from catalog.synonyms import parse_rule
from catalog.transactions import named_lock
from search import configuration

LOCK = "projection:search-configuration"


def _configuration() -> tuple[dict[str, Any], str]:
    synonyms = []
    for text in SynonymRule.objects.order_by("code").values_list("rule", flat=True):
        parsed = parse_rule(text)
        synonyms.append({"terms": list(parsed.terms), "replacements": list(parsed.replacements)})
    merchandising = [
        {
            "code": rule.code,
            "query": rule.query,
            "match": rule.match,
            "pinned": rule.pinned,
            "hidden": rule.hidden,
            "starts_at": rule.starts_at and rule.starts_at.isoformat(),
            "ends_at": rule.ends_at and rule.ends_at.isoformat(),
        }
        for rule in MerchandisingRule.objects.order_by("code")
    ]
    attributes = [
        {
            "code": code,
            "name": name,
            "unit": unit,
            "choice_labels": choice_labels,
            "translations": translations,
        }
        for code, name, unit, choice_labels, translations in AttributeDefinition.objects.order_by(
            "code"
        ).values_list("code", "name", "unit", "choice_labels", "translations")
    ]
    published = {"synonyms": synonyms, "merchandising": merchandising, "attributes": attributes}
    return published, hashlib.sha256(json.dumps(published, sort_keys=True).encode()).hexdigest()


def publish() -> bool:
    """Publish MySQL's rules; False when another publish held the lock too long (it then
    publishes the newest rules itself, or the relay does)."""
    with named_lock(name=LOCK, wait_seconds=10) as acquired:
        if not acquired:
            return False
        published, fingerprint = _configuration()
        configuration.publish(configuration=published, fingerprint=fingerprint)
        return True


def is_stale() -> bool:
    """The published configuration differs from MySQL's rules (or none was published while
    rules exist)."""
    published, fingerprint = _configuration()
    held = configuration.published_fingerprint()
    return held != fingerprint and (held is not None or any(published.values()))
