"""Typed product attributes: which definitions apply to a product, and whether its values fit
them. A key without a definition stays a text attribute (as before definitions existed), unless
CATALOG_STRICT_ATTRIBUTES makes it an error."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from .models import AttributeDefinition, Category
from .validators import is_attribute_number

# Definitions by category id, while `reused_definitions` is in force.
_reused: ContextVar[dict[int, dict[str, AttributeDefinition]] | None] = ContextVar("_reused", default=None)


@contextmanager
def reused_definitions() -> Iterator[None]:
    """Read the definitions for a category once in the block, not once per product (a bulk
    request's chunk): three queries saved per product with attributes."""
    token = _reused.set({})
    try:
        yield
    finally:
        _reused.reset(token)


def applicable_definitions(*, category: Category) -> dict[str, AttributeDefinition]:
    """The definitions for products of `category`: global ones, and those restricted to it or
    to a category above it."""
    reused = _reused.get()
    if reused is None:
        return _applicable_definitions(category)
    if category.pk not in reused:
        reused[category.pk] = _applicable_definitions(category)
    return reused[category.pk]


def _applicable_definitions(category: Category) -> dict[str, AttributeDefinition]:
    parent_of: dict[int, int | None] = dict(Category.objects.values_list("pk", "parent_id"))
    lineage: set[int] = set()
    node: int | None = category.pk
    while node is not None and node not in lineage:
        lineage.add(node)
        node = parent_of.get(node)
    applicable = {}
    for definition in AttributeDefinition.objects.prefetch_related("categories"):
        scope = {restricted.pk for restricted in definition.categories.all()}
        if not scope or scope & lineage:
            applicable[definition.code] = definition
    return applicable


def check_attributes(*, attributes: dict[str, Any], category: Category) -> None:
    """Raise a ValidationError naming every attribute whose value does not fit its definition."""
    if not attributes:  # nothing to check: spare every command without attributes two queries
        return
    definitions = applicable_definitions(category=category)
    problems = []
    for code, value in attributes.items():
        definition = definitions.get(code)
        if definition is None:
            if settings.CATALOG_STRICT_ATTRIBUTES:
                problems.append(f"'{code}': no attribute of that code is defined for this category.")
            elif not isinstance(value, str):
                problems.append(f"'{code}': has no definition, so it must be a string.")
            continue
        reason = _misfit(definition, value)
        if reason:
            problems.append(f"'{code}': {reason}")
    if problems:
        raise ValidationError({"attributes": problems})


def _misfit(definition: AttributeDefinition, value: Any) -> str | None:
    types = AttributeDefinition.Type
    if definition.type == types.NUMBER and not is_attribute_number(value):
        unit = f" ({definition.unit})" if definition.unit else ""
        return f"must be a number{unit}, not {value!r}."
    if definition.type == types.BOOLEAN and not isinstance(value, bool):
        return f"must be true or false, not {value!r}."
    if definition.type == types.ENUM and value not in definition.choices:
        return f"must be one of {', '.join(definition.choices)}; {value!r} is not."
    if definition.type == types.TEXT and not isinstance(value, str):
        return f"must be a text, not {value!r}."
    return None


# How staff may write yes and no in a text box.
_BOOLEAN_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def typed_values(*, texts: dict[str, str], category: Category) -> dict[str, Any]:
    """Attribute values entered as text (the admin's rows) in the type their definitions ask for:
    numbers and yes/no parsed, everything else kept as text. A text that does not parse is kept
    as it is, for check_attributes to refuse with its reason."""
    if not texts:
        return {}
    definitions = applicable_definitions(category=category)
    types = AttributeDefinition.Type
    typed: dict[str, Any] = {}
    for code, text in texts.items():
        definition = definitions.get(code)
        value: Any = text
        if definition is not None and definition.type == types.NUMBER:
            try:
                number = float(text)
            except ValueError:
                pass
            else:
                value = int(number) if number.is_integer() and "." not in text else number
        elif definition is not None and definition.type == types.BOOLEAN:
            value = _BOOLEAN_WORDS.get(text.lower(), text)
        typed[code] = value
    return typed
