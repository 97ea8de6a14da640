"""The catalog's languages on the read side (settings.CATALOG_LANGUAGES, the first the default):
which are configured, how the text of each is analysed, and where a document keeps it.

Each language is analysed as Elasticsearch's built-in analyzer for it is (the reference rebuilds
them from stock components under "Language analyzers": elision, stop words, normalization,
stemmer), without the keyword_marker (the catalog marks no words), and with accents folded, so a
shopper who types "ecran" finds "écran". German also splits compounds, when indexing only (see
INDEX_ONLY_FILTERS). The default language's analyzer is `catalog_text`, which the product's own
name and description use; each other language's is `catalog_text_<code>`, used by its
translations (`translations.<code>.*`); a query is analysed by `<analyzer>_search`.
"""

from typing import Any

from django.conf import settings

from .german_compound_parts import GERMAN_COMPOUND_PARTS

# The elided articles of the stock french and italian analyzers ("l'avion", "dell'acqua").
FRENCH_ARTICLES = ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"]
ITALIAN_ARTICLES = [
    "c", "l", "all", "dall", "dell", "nell", "sull", "coll", "pell", "gl", "agl", "dagl", "degl", "negl",
    "sugl", "un", "m", "t", "s", "v", "d",
]  # fmt: skip

# English plurals the Porter stemmer leaves apart from their singular ("children" stays
# children, "knives" becomes knive, "mouse" mous): each form becomes the singular, which the
# stemmer then leaves as it is, so "headphones for a child" finds *Headphones for Children* and
# "gaming mice" a *Gaming Mouse*. Only words whose every form names a thing a shop sells
# or is for; "lives" and "leaves" are verbs too. A change to the list bumps
# search.index.MAPPING_VERSION so `search_index create` rebuilds the index.
ENGLISH_IRREGULAR = [
    "child, children => child",
    "man, men, mens => man",
    "woman, women, womens => woman",
    "person, people => person",
    "foot, feet => foot",
    "tooth, teeth => tooth",
    "mouse, mice => mouse",
    "goose, geese => goose",
    "knife, knives => knife",
    "shelf, shelves => shelf",
    "scarf, scarves => scarf",
    "wolf, wolves => wolf",
    "half, halves => half",
    "loaf, loaves => loaf",
    "cactus, cacti => cactus",
    "tomato, tomatoes => tomato",
    "potato, potatoes => potato",
]

# Per language: the token filters its analysis defines, and the chain after the standard
# tokenizer. Only stock component names (tests/search/test_index_analysis.py).
ANALYSIS: dict[str, tuple[dict[str, dict[str, Any]], list[str]]] = {
    "en": (
        {
            "catalog_english_possessive": {"type": "stemmer", "language": "possessive_english"},
            "catalog_english_stop": {"type": "stop", "stopwords": "_english_"},
            "catalog_english_irregular": {"type": "stemmer_override", "rules": ENGLISH_IRREGULAR},
            "catalog_english_stemmer": {"type": "stemmer", "language": "english"},
        },
        [
            "lowercase",
            "catalog_english_possessive",
            "catalog_english_stop",
            "asciifolding",
            "catalog_english_irregular",
            "catalog_english_stemmer",
        ],
    ),
    # German compounds are split by a word list of their parts (search.german_compound_parts),
    # before normalization and stemming so that each part is normalized and stemmed as a word
    # of its own is: "Wanderschuhe" -> wanderschuh, wander, schuh. The hyphenation decompounder
    # would need a grammar file on every node, which a managed cluster does not allow.
    "de": (
        {
            "catalog_german_stop": {"type": "stop", "stopwords": "_german_"},
            "catalog_german_compounds": {
                "type": "dictionary_decompounder",
                "word_list": list(GERMAN_COMPOUND_PARTS),
                # Parts of 3 letters hide in too many words (eis in Preis, hut in Schutz).
                "min_subword_size": 4,
                # No part found inside a longer one: "kleidung" in "Sportkleidung", not also
                # "kleid"; "handschuh" in "Handschuhe", not "schuh".
                "only_longest_match": True,
            },
            "catalog_german_stemmer": {"type": "stemmer", "language": "light_german"},
        },
        [
            "lowercase",
            "catalog_german_stop",
            "catalog_german_compounds",
            "german_normalization",
            "asciifolding",
            "catalog_german_stemmer",
            # A part stemmed as the whole word is ("Schuhe" -> schuh, schuh) counts once.
            "remove_duplicates",
        ],
    ),
    "fr": (
        {
            "catalog_french_elision": {
                "type": "elision",
                "articles_case": True,
                "articles": FRENCH_ARTICLES,
            },
            "catalog_french_stop": {"type": "stop", "stopwords": "_french_"},
            "catalog_french_stemmer": {"type": "stemmer", "language": "light_french"},
        },
        [
            "catalog_french_elision",
            "lowercase",
            "catalog_french_stop",
            "catalog_french_stemmer",
            "asciifolding",
        ],
    ),
    "es": (
        {
            "catalog_spanish_stop": {"type": "stop", "stopwords": "_spanish_"},
            "catalog_spanish_stemmer": {"type": "stemmer", "language": "light_spanish"},
        },
        ["lowercase", "catalog_spanish_stop", "catalog_spanish_stemmer", "asciifolding"],
    ),
    "it": (
        {
            "catalog_italian_elision": {
                "type": "elision",
                "articles_case": True,
                "articles": ITALIAN_ARTICLES,
            },
            "catalog_italian_stop": {"type": "stop", "stopwords": "_italian_"},
            "catalog_italian_stemmer": {"type": "stemmer", "language": "light_italian"},
        },
        [
            "catalog_italian_elision",
            "lowercase",
            "catalog_italian_stop",
            "catalog_italian_stemmer",
            "asciifolding",
        ],
    ),
    "nl": (
        {
            "catalog_dutch_stop": {"type": "stop", "stopwords": "_dutch_"},
            "catalog_dutch_stemmer": {"type": "stemmer", "language": "dutch"},
        },
        ["lowercase", "catalog_dutch_stop", "catalog_dutch_stemmer", "asciifolding"],
    ),
    "pt": (
        {
            "catalog_portuguese_stop": {"type": "stop", "stopwords": "_portuguese_"},
            "catalog_portuguese_stemmer": {"type": "stemmer", "language": "light_portuguese"},
        },
        ["lowercase", "catalog_portuguese_stop", "catalog_portuguese_stemmer", "asciifolding"],
    ),
}
SUPPORTED = tuple(ANALYSIS)

# The filters that add a document's words (a compound's parts) and so run when indexing only:
# a query's word is matched as typed, so "regenjacke" finds Regenjacke and not every product
# with "regen" or "jacke" in it, while "jacke" and "regen jacke" find it through its parts.
INDEX_ONLY_FILTERS = frozenset({"catalog_german_compounds", "remove_duplicates"})


def configured() -> list[str]:
    return list(settings.CATALOG_LANGUAGES)


def default() -> str:
    return settings.CATALOG_LANGUAGES[0]


def translated() -> list[str]:
    """The languages a product's texts may be translated into: all but the default."""
    return list(settings.CATALOG_LANGUAGES[1:])


def text_analyzer(language: str) -> str:
    """The analyzer of a language's text: `catalog_text` for the default language's."""
    return "catalog_text" if language == default() else f"catalog_text_{language}"


def text_search_analyzer(language: str) -> str:
    """The analyzer of a query against a language's text: its own without INDEX_ONLY_FILTERS."""
    return f"{text_analyzer(language)}_search"


def search_chain(language: str) -> list[str]:
    """The token filters of text_search_analyzer(language)."""
    return [name for name in ANALYSIS[language][1] if name not in INDEX_ONLY_FILTERS]


def translation_field(language: str) -> str:
    """Where a product document keeps its texts in a language other than the default."""
    return f"translations.{language}"


def preferred(accept_language: str | None) -> str:
    """The configured language an Accept-Language header prefers (RFC 9110: by weight, then in
    order; `de-CH` counts as `de`), or the default language when it names none of them."""
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, parameters = part.strip().partition(";")
        weight = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value)
            except ValueError:
                continue
        if weight > 0:
            ranked.append((-weight, position, tag.strip().split("-")[0].lower()))
    for _, _, language in sorted(ranked):
        if language in settings.CATALOG_LANGUAGES:
            return language
    return default()
