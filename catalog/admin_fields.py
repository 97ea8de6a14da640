"""Form fields of the catalog admin that spare staff from typing JSON: tags as one row per tag,
attributes and choice labels as name/value rows, and the currency picked from the ISO 4217 list;
and the autocomplete select of brands and categories, safe against a key that is none."""

from collections.abc import Mapping, Sequence
from typing import Any

import pycountry
from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.http import QueryDict

# Empty rows shown below the filled ones; the "Add a row" button adds more.
SPARE_ROWS = 2


class ListRowsWidget(forms.Widget):
    """One text box per item."""

    template_name = "catalog/widgets/list_rows.html"

    class Media:
        js = ["catalog/rows.js"]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        items = [str(item) for item in value] if isinstance(value, list | tuple) else []
        context["widget"]["rows"] = [*items, *[""] * SPARE_ROWS]
        return context

    # The stub types `data` as any Mapping; the admin binds its forms to request.POST, a QueryDict.
    def value_from_datadict(self, data: QueryDict, files: Any, name: str) -> list[str]:  # type: ignore[override]
        return data.getlist(name)

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
        return False  # no rows sent means no items


class KeyValueRowsWidget(forms.Widget):
    """One row per entry: a name box and a value box."""

    template_name = "catalog/widgets/key_value_rows.html"

    class Media:
        js = ["catalog/rows.js"]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if isinstance(value, dict):
            pairs = [(key, _as_text(item)) for key, item in value.items()]
        elif isinstance(value, list):  # the rows as sent, shown again with the form's errors
            pairs = list(value)
        else:
            pairs = []
        context["widget"]["rows"] = [*pairs, *[("", "")] * SPARE_ROWS]
        return context

    def value_from_datadict(  # type: ignore[override]  # as ListRowsWidget's
        self, data: QueryDict, files: Any, name: str
    ) -> list[tuple[str, str]]:
        return list(zip(data.getlist(f"{name}-key"), data.getlist(f"{name}-value"), strict=False))

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
        return False


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class TagsField(forms.Field):
    """The tags, in order, each once; empty rows are ignored."""

    widget = ListRowsWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> list[str]:
        rows = value if isinstance(value, list) else []
        return list(dict.fromkeys(row.strip() for row in rows if row and row.strip()))


class AttributesField(forms.Field):
    """Attribute names to their values as typed (text); the product form gives each value the
    type its definition asks for (catalog.attributes.typed_values)."""

    widget = KeyValueRowsWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> dict[str, str]:
        texts: dict[str, str] = {}
        problems = []
        for key, text in value if isinstance(value, list) else []:
            key, text = key.strip(), text.strip()
            if not key and not text:
                continue
            if not key:
                problems.append(f"The value {text!r} has no name.")
            elif not text:
                problems.append(f"'{key}' has no value: give one, or clear the name to remove it.")
            elif key in texts:
                problems.append(f"'{key}' is named twice.")
            else:
                texts[key] = text
        if problems:
            raise ValidationError(problems)
        return texts


class ChoiceLabelsField(AttributesField):
    """An enum attribute's choices to their labels, a row each (checked against its choices by
    the services)."""


CURRENCY_CHOICES = sorted(
    ((currency.alpha_3, f"{currency.alpha_3} ({currency.name})") for currency in pycountry.currencies),
)


class AutocompleteSelect(widgets.AutocompleteSelect):
    """Django's autocomplete select, re-showing a form whose submitted key is no key (`abc` for a
    category's id; only a hand-made request sends one) as if nothing was chosen, beside the
    field's error. Django's own widget looks the value up as given while rendering, and its
    ValueError was a 500."""

    def optgroups(self, name: str, value: Sequence[str], attr: dict[str, Any] | None = None) -> Any:
        return super().optgroups(name, [key for key in value if _is_key(self.field.target_field, key)], attr)


def _is_key(field: Any, value: Any) -> bool:
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True
