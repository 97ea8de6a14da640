"""The search configuration staff manage on the write side (synonym rules, merchandising rules,
and the attribute definitions whose names, units and labels facets show):
kept in MySQL with the catalog, and announced with `changed` after every committed change, for
whoever keeps the read side (the projection publishes the whole configuration)."""

from django.dispatch import Signal

# Sent after a command that changed synonym or merchandising rules or attribute definitions has
# committed (no arguments).
changed = Signal()
