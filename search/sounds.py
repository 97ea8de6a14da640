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

# Shorter words sound like too many others ("tv" like "tie", "toy", "two").
MIN_WORD_LENGTH = 4
MIN_KEY_LENGTH = 2
_WORD = re.compile(r"[a-z]+")


def words(text: str) -> list[str]:
    """The words of `text` that have a sound: runs of letters, lower case, accents removed."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _WORD.findall(text.lower())


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
    """`text` with each word that none of `names` has replaced by the word of `names` most
    often sounding like it (the first among equals), or None when no word is replaced."""
    heard: dict[str, Counter[str]] = {}
    known: set[str] = set()
    for name in names:
        for word in words(name):
            known.add(word)
            if sound := key(word):
                heard.setdefault(sound, Counter())[word] += 1
    typed = words(text)
    replaced = [
        heard[sound].most_common(1)[0][0]
        if word not in known and (sound := key(word)) is not None and sound in heard
        else word
        for word in typed
    ]
    return " ".join(replaced) if replaced != typed else None
