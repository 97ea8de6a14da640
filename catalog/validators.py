"""Field rules of the write model, shared by the services, the API and the admin forms."""

import math
import re
import unicodedata
from typing import Any

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_ATTRIBUTES = 50
MAX_ATTRIBUTE_KEY_LENGTH = 100
MAX_ATTRIBUTE_VALUE_LENGTH = 500
MAX_ATTRIBUTE_CHOICES = 200
# Numbers are indexed as doubles; beyond this they lose the precision a filter needs.
MAX_ATTRIBUTE_NUMBER = 1e15
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000
# The texts a product's translations may hold.
TRANSLATED_FIELDS = ("name", "description")
MAX_CATEGORY_DEPTH = 6
MAX_OPTION_AXES = 5
MAX_OPTION_VALUE_LENGTH = 100
MAX_VARIANTS = 100
# The files a feed import reads (catalog.imports): CSV, or JSON lines.
FEED_SUFFIXES = (".csv", ".jsonl", ".ndjson")
# A variant's stock is indexed as an Elasticsearch `integer`.
MAX_STOCK = 2**31 - 1

validate_sku = RegexValidator(
    r"^[A-Za-z0-9._-]{1,64}$",
    "Use 1 to 64 letters, digits, '-', '_' or '.'.",
)

_OPTION_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
# Line breaks and tabs, allowed in multi-line texts only.
_LAYOUT = frozenset("\n\r\t")


def unstorable_character(text: str, *, multi_line: bool = False) -> str | None:
    """The first character that has no place in catalog text, or None: control characters
    (NUL included, which Elasticsearch's flattened fields refuse), lone surrogates (which
    MySQL's JSON columns refuse) and, outside multi-line texts, line breaks and tabs."""
    for character in text:
        category = unicodedata.category(character)
        if category == "Cs" or (category == "Cc" and not (multi_line and character in _LAYOUT)):
            return character
    return None


def _checked_text(text: str, *, what: str, multi_line: bool = False) -> None:
    character = unstorable_character(text, multi_line=multi_line)
    if character is not None:
        raise ValidationError(f"{what} contains the character {character!r}, which text may not hold.")


def validate_single_line(value: str) -> None:
    _checked_text(value, what="The text")


def validate_multi_line(value: str) -> None:
    _checked_text(value, what="The text", multi_line=True)


CURRENCY_CODES = frozenset(currency.alpha_3 for currency in pycountry.currencies)


def validate_currency(value: str) -> None:
    if value not in CURRENCY_CODES:
        raise ValidationError(f"'{value}' is not an ISO 4217 currency code.")


def validate_tags(value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError("Expected a list of strings.")
    if len(value) > MAX_TAGS:
        raise ValidationError(f"At most {MAX_TAGS} tags are allowed.")
    for tag in value:
        if not isinstance(tag, str) or not 1 <= len(tag) <= MAX_TAG_LENGTH:
            raise ValidationError(f"Each tag must be a string of 1 to {MAX_TAG_LENGTH} characters.")
        _checked_text(tag, what=f"The tag {tag!r}")


def validate_attributes(value: Any) -> None:
    """The shape of a product's attributes: names to a text, a number or a yes/no. Whether a
    value fits its attribute's definition is the services' check (catalog.attributes)."""
    if not isinstance(value, dict):
        raise ValidationError("Expected an object of attribute names to values.")
    if len(value) > MAX_ATTRIBUTES:
        raise ValidationError(f"At most {MAX_ATTRIBUTES} attributes are allowed.")
    for key, item in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_ATTRIBUTE_KEY_LENGTH:
            raise ValidationError(
                f"Attribute names must be strings of 1 to {MAX_ATTRIBUTE_KEY_LENGTH} characters."
            )
        _checked_text(key, what=f"The attribute name {key!r}")
        if isinstance(item, str):
            _checked_text(item, what=f"Attribute '{key}'")
            if len(item) > MAX_ATTRIBUTE_VALUE_LENGTH:
                raise ValidationError(
                    f"Attribute '{key}' must be at most {MAX_ATTRIBUTE_VALUE_LENGTH} characters long."
                )
        elif not (isinstance(item, bool) or is_attribute_number(item)):
            raise ValidationError(f"Attribute '{key}' must be a text, a number or true/false.")


def is_attribute_number(value: Any) -> bool:
    """A JSON number the index can hold as a double (not a bool, not infinite or NaN)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) <= MAX_ATTRIBUTE_NUMBER
    )


validate_attribute_code = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{0,49}$",
    "Use 1 to 50 lower-case letters, digits, '-' or '_', starting with a letter or digit.",
)


def validate_attribute_choices(value: Any) -> None:
    if not isinstance(value, list) or not all(
        isinstance(choice, str) and 1 <= len(choice) <= MAX_ATTRIBUTE_VALUE_LENGTH for choice in value
    ):
        raise ValidationError("Expected a list of texts.")
    for choice in value:
        _checked_text(choice, what=f"The choice {choice!r}")
    if len(set(value)) != len(value):
        raise ValidationError("Each choice may appear once.")
    if len(value) > MAX_ATTRIBUTE_CHOICES:
        raise ValidationError(f"At most {MAX_ATTRIBUTE_CHOICES} choices are allowed.")


def translation_languages() -> list[str]:
    """The languages a product's texts may be translated into: CATALOG_LANGUAGES but the first,
    the default, which the product's own name and description are in."""
    return settings.CATALOG_LANGUAGES[1:]


def validate_translations(value: Any) -> None:
    """A product's translations: language code to `{"name": ..., "description": ...}` (either
    may be left out, which reads as the default language's), for the catalog's languages but
    the default."""
    if not isinstance(value, dict):
        raise ValidationError('Expected an object of language codes to texts, e.g. {"de": {"name": "..."}}.')
    default, allowed = settings.CATALOG_LANGUAGES[0], translation_languages()
    for language, texts in value.items():
        if language == default:
            raise ValidationError(
                f"'{language}' is the catalog's default language: its texts are the product's own "
                "name and description."
            )
        if language not in allowed:
            raise ValidationError(
                f"'{language}' is not one of the catalog's languages to translate into "
                f"({', '.join(allowed) or 'none: CATALOG_LANGUAGES lists only the default'})."
            )
        if not isinstance(texts, dict) or not texts:
            raise ValidationError(f"{language}: expected an object with a name, a description or both.")
        unknown = sorted(set(texts) - set(TRANSLATED_FIELDS))
        if unknown:
            raise ValidationError(
                f"{language}.{unknown[0]}: unknown field; a translation has a name and a description."
            )
        name, description = texts.get("name"), texts.get("description")
        if name is not None:
            if not isinstance(name, str) or not 1 <= len(name.strip()) <= MAX_NAME_LENGTH:
                raise ValidationError(
                    f"{language}.name: expected a text of 1 to {MAX_NAME_LENGTH} characters."
                )
            _checked_text(name, what=f"{language}.name")
        if description is not None:
            if not isinstance(description, str) or len(description) > MAX_DESCRIPTION_LENGTH:
                raise ValidationError(
                    f"{language}.description: expected a text of at most {MAX_DESCRIPTION_LENGTH} characters."
                )
            _checked_text(description, what=f"{language}.description", multi_line=True)


def validate_options(value: Any) -> None:
    """A variant's options: up to MAX_OPTION_AXES axis names (lower-case letters, digits, '-' and
    '_'; they appear in filter parameters as `option.<name>`) with a non-empty text value each."""
    if not isinstance(value, dict):
        raise ValidationError('Expected an object of option names to values, e.g. {"size": "M"}.')
    if len(value) > MAX_OPTION_AXES:
        raise ValidationError(f"At most {MAX_OPTION_AXES} options are allowed.")
    for name, item in value.items():
        if not isinstance(name, str) or not _OPTION_NAME.match(name):
            raise ValidationError(
                f"Option name {name!r}: use 1 to 50 lower-case letters, digits, '-' or '_', "
                "starting with a letter or digit."
            )
        if not isinstance(item, str) or not 1 <= len(item.strip()) <= MAX_OPTION_VALUE_LENGTH:
            raise ValidationError(
                f"Option '{name}' must be a text of 1 to {MAX_OPTION_VALUE_LENGTH} characters."
            )
        _checked_text(item, what=f"Option '{name}'")


MAX_PINNED_PRODUCTS = 20
MAX_HIDDEN_PRODUCTS = 100


def _validate_product_ids(value: Any, *, limit: int) -> None:
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) and item > 0 for item in value
    ):
        raise ValidationError("Expected a list of product ids.")
    if len(value) > limit:
        raise ValidationError(f"At most {limit} products.")
    if len(set(value)) != len(value):
        raise ValidationError("A product appears twice.")


def validate_pinned_products(value: Any) -> None:
    _validate_product_ids(value, limit=MAX_PINNED_PRODUCTS)


def validate_hidden_products(value: Any) -> None:
    _validate_product_ids(value, limit=MAX_HIDDEN_PRODUCTS)
