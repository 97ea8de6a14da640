"""How the read side compares what shoppers type with what staff wrote (synonym and
merchandising rules, did-you-mean corrections, analytics): one normal form, whole words."""

import re
import unicodedata
from collections.abc import Callable

import jellyfish


def normalized(text: str) -> str:
    """Lower case, single spaces, no space at either end."""
    return " ".join(text.lower().split())


def contains_words(text: str, words: str, *, plural: bool = False) -> re.Match[str] | None:
    """Where `words` occur in `text` as whole words (both normalized), or None; with `plural`,
    also with an `s` or `es` on the last word ("tvs", "flat screens"): the plural of the
    languages the catalog speaks that make one so, which a shopper types as often as not."""
    ending = "(?:e?s)?" if plural else ""
    return re.search(rf"(?<!\w){re.escape(words)}{ending}(?!\w)", text)


def within_edits(typed: str, correction: str, *, allowed: Callable[[str], int]) -> bool:
    """Whether each word of `correction` is at most `allowed(word typed)` edits (Damerau-
    Levenshtein, accents ignored) from the word typed in its place. Words are runs of letters and
    digits; a correction of another number of words cannot be compared word by word, and passes."""
    typed_words, corrected_words = _words(typed), _words(correction)
    if len(typed_words) != len(corrected_words):
        return True
    return all(
        jellyfish.damerau_levenshtein_distance(word, corrected) <= allowed(word)
        for word, corrected in zip(typed_words, corrected_words, strict=True)
    )


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", folded)
