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
    also with an `s` or `es` on the last word ("tvs", "flat screens"), and words written in the
    plural also in the singular ("earphone" for "earphones", "glass" for "glasses"): the plural
    of the languages the catalog speaks that make one so, which a shopper types as often as not."""
    if not plural:
        return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text)
    forms = "|".join(re.escape(form) for form in (words, *_singulars(words)))
    return re.search(rf"(?<!\w)(?:{forms})(?:e?s)?(?!\w)", text)


def _singulars(words: str) -> list[str]:
    """`words` without the plural ending its last word may have: "earphones" -> earphone,
    "glasses" -> glasse, glass; none for a word too short to tell ("gas") or ending in ss."""
    last = words.rsplit(" ", 1)[-1]
    if not last.endswith("s") or last.endswith("ss") or len(last) <= 3:
        return []
    return [words[:-1], *([words[:-2]] if last.endswith("es") and len(last) > 4 else [])]
