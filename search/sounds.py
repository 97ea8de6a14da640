"""How the words of a name sound, for did-you-mean corrections of words spelt as they sound.

"hedfones" is three edits from "headphones" and "nives" three from "knife": beyond the two that
Lucene's spell checker (the phrase suggester) reaches, and beyond the search's fuzziness. They
sound the same, though. A word's key is its Metaphone (the jellyfish library), without the "s"
of a plural, so "hedfones" and "headphones" share HTFN, and "nives", "knives" and "knife" NF.

Documents carry the keys of their names' words (`name_sounds`, search.documents), and a search
that finds too little asks which products' names share the keys of the words typed, then takes
the words of those names that sound like the ones typed (search.queries). The keys are computed
here, in Python, on both sides: Elasticsearch's phonetic filter is a plugin, not one of the
stock analysis components the index may name (search.index).
"""

import re
import unicodedata
from collections import Counter
from functools import lru_cache

import jellyfish

from .text import normalized

# Shorter words sound like too many others ("tv" like "tie", "toy", "two").
MIN_WORD_LENGTH = 4
MIN_KEY_LENGTH = 2
# A word: a run of letters, accented ones included; digits and signs separate words.
_LETTERS = re.compile(r"[^\W\d_]+")


def words(text: str) -> list[str]:
    """The words of `text` that have a sound: lower case, accents removed."""
    return [word for run in _LETTERS.findall(text) if (word := _folded(run))]


def _folded(run: str) -> str:
    run = run.lower()
    if run.isascii():
        return run
    return unicodedata.normalize("NFKD", run).encode("ascii", "ignore").decode()


# A catalog's names share most of their words: building a rebuild's documents looks the same
# words up again and again (a quarter of its time when each was encoded anew).
@lru_cache(maxsize=65_536)
def key(word: str) -> str | None:
    """How `word` (lower case, unaccented) sounds, or None for a word too short to tell."""
    if len(word) < MIN_WORD_LENGTH:
        return None
    sound = jellyfish.metaphone(word)
    if word.endswith("s") and sound.endswith("S"):
        sound = sound[:-1]
    return sound if len(sound) >= MIN_KEY_LENGTH else None


def keys(text: str) -> list[str]:
    """The keys of the words of `text`, each once, in the order of the words."""
    return list(dict.fromkeys(sound for word in words(text) if (sound := key(word))))


def corrected(text: str, *, names: list[str]) -> str | None:
    """`text` (normalized) with each word that none of `names` has replaced by the word of
    `names` that sounds like it and is spelt most like it ("kofee": "coffee", not "cafe"; among
    equals the most frequent, then the first), unless that changes more than half of the word's
    letters ("wifi" stays, "wave" is 3 edits of 4), or None when no word is replaced. What is
    not a word (digits, signs: "wh1000") stays as typed."""
    heard: dict[str, Counter[str]] = {}
    known: set[str] = set()
    for name in names:
        for word in words(name):
            known.add(word)
            if sound := key(word):
                heard.setdefault(sound, Counter())[word] += 1

    def replaced(run: re.Match[str]) -> str:
        word = _folded(run.group())
        sound = key(word)
        if word in known or sound is None or sound not in heard:
            return run.group()
        alike = heard[sound]
        edits = {heard_word: jellyfish.damerau_levenshtein_distance(word, heard_word) for heard_word in alike}
        closest = min(alike, key=lambda heard_word: (edits[heard_word], -alike[heard_word]))
        return closest if edits[closest] <= (len(word) + 1) // 2 else run.group()

    typed = normalized(text)
    correction = _LETTERS.sub(replaced, typed)
    return correction if correction != typed else None
