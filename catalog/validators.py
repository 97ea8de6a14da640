"""Field rules of the write model, shared by the services, the API and the admin forms."""

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
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
MAX_ATTRIBUTE_NAME_LENGTH = 100
MAX_CHOICE_LABEL_LENGTH = 100
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
# The largest id a row can have (the keys are MySQL BIGINTs).
MAX_ID = 2**63 - 1

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
    """The languages a product's or an attribute's texts may be translated into:
    CATALOG_LANGUAGES but the first, the default, which their own texts are in."""
    return settings.CATALOG_LANGUAGES[1:]


@dataclass(frozen=True)
class _Translatable:
    """What a kind of row's translations hold: per field, its check (given the field's path,
    e.g. `de.name`, and its value), and the words its errors describe them with."""

    fields: dict[str, Callable[[str, Any], None]]
    example: str
    own_texts: str
    either: str
    has: str


def _validate_translations_of(value: Any, kind: _Translatable) -> None:
    if not isinstance(value, dict):
        raise ValidationError(f"Expected an object of language codes to texts, e.g. {kind.example}.")
    default, allowed = settings.CATALOG_LANGUAGES[0], translation_languages()
    for language, texts in value.items():
        if language == default:
            raise ValidationError(
                f"'{language}' is the catalog's default language: its texts are {kind.own_texts}."
            )
        if language not in allowed:
            raise ValidationError(
                f"'{language}' is not one of the catalog's languages to translate into "
                f"({', '.join(allowed) or 'none: CATALOG_LANGUAGES lists only the default'})."
            )
        if not isinstance(texts, dict) or not texts:
            raise ValidationError(f"{language}: expected an object with {kind.either}.")
        unknown = sorted(set(texts) - set(kind.fields))
        if unknown:
            raise ValidationError(f"{language}.{unknown[0]}: unknown field; a translation has {kind.has}.")
        for field, check in kind.fields.items():
            if texts.get(field) is not None:
                check(f"{language}.{field}", texts[field])


def _name_check(max_length: int) -> Callable[[str, Any], None]:
    def check(path: str, name: Any) -> None:
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= max_length:
            raise ValidationError(f"{path}: expected a text of 1 to {max_length} characters.")
        _checked_text(name, what=path)

    return check


def _check_description(path: str, description: Any) -> None:
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(f"{path}: expected a text of at most {MAX_DESCRIPTION_LENGTH} characters.")
    _checked_text(description, what=path, multi_line=True)


_PRODUCT_TEXTS = _Translatable(
    fields={"name": _name_check(MAX_NAME_LENGTH), "description": _check_description},
    example='{"de": {"name": "..."}}',
    own_texts="the product's own name and description",
    either="a name, a description or both",
    has="a name and a description",
)


def validate_translations(value: Any) -> None:
    """A product's translations: language code to `{"name": ..., "description": ...}` (either
    may be left out, which reads as the default language's), for the catalog's languages but
    the default."""
    _validate_translations_of(value, _PRODUCT_TEXTS)


def _check_choice_labels(path: str, labels: Any) -> None:
    """Labels by choice: whether each names a choice of its attribute is the services' check
    (check_choice_labels), which sees the choices."""
    if not isinstance(labels, dict) or len(labels) > MAX_ATTRIBUTE_CHOICES:
        raise ValidationError(
            f"{path}: expected an object of at most {MAX_ATTRIBUTE_CHOICES} choices to labels."
        )
    for choice, label in labels.items():
        _name_check(MAX_CHOICE_LABEL_LENGTH)(f"{path}.{choice}", label)


def validate_choice_labels(value: Any) -> None:
    """An enum attribute's labels of its choices in the default language: `{"blue": "Blue"}`;
    a choice left out is shown as it is stored."""
    _check_choice_labels("choice_labels", value)


_ATTRIBUTE_TEXTS = _Translatable(
    fields={"name": _name_check(MAX_ATTRIBUTE_NAME_LENGTH), "choice_labels": _check_choice_labels},
    example='{"de": {"name": "Farbe", "choice_labels": {"blue": "Blau"}}}',
    own_texts="the attribute's own name and choice labels",
    either="a name, choice labels or both",
    has="a name and choice labels",
)


def validate_attribute_translations(value: Any) -> None:
    """An attribute's translations: language code to `{"name": ..., "choice_labels": {...}}`
    (either may be left out, as may any choice: they read as the default language's), for the
    catalog's languages but the default."""
    _validate_translations_of(value, _ATTRIBUTE_TEXTS)


def check_choice_labels(*, choices: list[str], choice_labels: Any, translations: Any) -> None:
    """Raise a ValidationError when a label, of the default language or a translation, is for
    a value that is not one of `choices`. (Labels of a wrong shape are the field validators'.)"""
    known = f"({', '.join(choices)})" if choices else "(none: only an enum attribute has choices)"
    problems: dict[str, list[str]] = {}
    if isinstance(choice_labels, dict):
        for choice in choice_labels:
            if choice not in choices:
                problems.setdefault("choice_labels", []).append(
                    f"{choice}: not one of the attribute's choices {known}."
                )
    for language, texts in translations.items() if isinstance(translations, dict) else ():
        labels = texts.get("choice_labels") if isinstance(texts, dict) else None
        for choice in labels if isinstance(labels, dict) else ():
            if choice not in choices:
                problems.setdefault("translations", []).append(
                    f"{language}.choice_labels.{choice}: not one of the attribute's choices {known}."
                )
    if problems:
        raise ValidationError(problems)


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
