"""Field rules of the write model, shared by the services, the API and the admin forms."""

from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_ATTRIBUTES = 50
MAX_ATTRIBUTE_KEY_LENGTH = 100
MAX_ATTRIBUTE_VALUE_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 10_000
MAX_CATEGORY_DEPTH = 6

validate_sku = RegexValidator(
    r"^[A-Za-z0-9._-]{1,64}$",
    "Use 1 to 64 letters, digits, '-', '_' or '.'.",
)

_CURRENCY_CODES = frozenset(currency.alpha_3 for currency in pycountry.currencies)


def validate_currency(value: str) -> None:
    if value not in _CURRENCY_CODES:
        raise ValidationError(f"'{value}' is not an ISO 4217 currency code.")


def validate_tags(value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError("Expected a list of strings.")
    if len(value) > MAX_TAGS:
        raise ValidationError(f"At most {MAX_TAGS} tags are allowed.")
    for tag in value:
        if not isinstance(tag, str) or not 1 <= len(tag) <= MAX_TAG_LENGTH:
            raise ValidationError(f"Each tag must be a string of 1 to {MAX_TAG_LENGTH} characters.")


def validate_attributes(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError("Expected an object of string keys to string values.")
    if len(value) > MAX_ATTRIBUTES:
        raise ValidationError(f"At most {MAX_ATTRIBUTES} attributes are allowed.")
    for key, item in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_ATTRIBUTE_KEY_LENGTH:
            raise ValidationError(
                f"Attribute names must be strings of 1 to {MAX_ATTRIBUTE_KEY_LENGTH} characters."
            )
        if not isinstance(item, str) or len(item) > MAX_ATTRIBUTE_VALUE_LENGTH:
            raise ValidationError(
                f"Attribute '{key}' must be a string of at most {MAX_ATTRIBUTE_VALUE_LENGTH} characters."
            )
