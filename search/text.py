"""How the read side compares what shoppers type with what staff wrote (synonym and
merchandising rules, did-you-mean corrections, analytics): one normal form, whole words."""

import re
import unicodedata

# The longest query a search (or suggestion) accepts, in characters as typed.
MAX_QUERY_LENGTH = 256


def normalized(text: str) -> str:
    """Composed (NFC), lower case, single spaces, no space at either end."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def contains_words(text: str, words: str, *, plural: bool = False) -> re.Match[str] | None:
    """Where `words` occur in `text` as whole words (both normalized), or None; with `plural`,
    also with an `s` or `es` on the last word ("tvs", "flat screens"): the plural of the
    languages the catalog speaks that make one so, which a shopper types as often as not."""
    ending = "(?:e?s)?" if plural else ""
    return re.search(rf"(?<!\w){re.escape(words)}{ending}(?!\w)", text)
