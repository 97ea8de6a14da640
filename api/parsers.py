"""The API's JSON parsers: DRF's JSONParser and a JSON lines parser, refusing bodies that are
valid JSON yet no request can use.

- Nested deeper than any request needs. Python's parser raises RecursionError (not ValueError)
  at about a thousand levels, which DRF let through as a 500; a body just under that parses, and
  then every recursive walk over it (serializers, the idempotency fingerprint, the renderer of an
  error that echoes it) risks the same. No product, brand, category or sign-in body comes near
  MAX_DEPTH, so deeper is bad input.
- A text holding half of a UTF-16 surrogate pair (`"\\ud800"` alone; `shared.unicode`). JSON's
  escapes can write one, but it is no character: MySQL cannot store it and no answer can echo
  it as UTF-8 (the error naming the field was itself a 500).
"""

import json
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

from shared.unicode import is_unicode, non_unicode_text

MAX_DEPTH = 32
NESTED_TOO_DEEP = f"the body is nested more than {MAX_DEPTH} levels deep"


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - {NESTED_TOO_DEEP}.") from None
        if (reason := refusal(data)) is not None:
            raise ParseError(f"JSON parse error - {reason}.")
        return data


def refusal(value: Any) -> str | None:
    """Why a parsed body is refused (see the module's docstring), or None. Walked without
    recursion, and without paths until a text that is no Unicode needs one."""
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if not is_unicode(item):
                return non_unicode_text(value)
            continue
        if isinstance(item, dict):
            if not all(is_unicode(key) for key in item):
                return non_unicode_text(value)
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= MAX_DEPTH:
            return NESTED_TOO_DEEP
        pending.extend((child, depth + 1) for child in children)
    return None


class JSONLinesParser(parsers.BaseParser):
    """JSON lines (`application/x-ndjson`), the bulk commands' other body: one JSON value per
    line, parsed into a list; blank lines are skipped. A line that is not JSON (or is refused as
    JSONParser refuses a body) is refused with a 400 naming the line."""

    media_type = "application/x-ndjson"

    def parse(self, stream, media_type=None, parser_context=None) -> list[Any]:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as error:
            raise ParseError(f"JSON lines parse error - the body is not {encoding}: {error}") from None
        items = []
        # Only "\n" ends a line: a JSON string may hold U+2028 and the like.
        for number, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line, parse_constant=strict_constant)
            except (ValueError, RecursionError) as error:
                raise ParseError(f"JSON lines parse error on line {number}: {error}") from None
            if (reason := refusal(item)) is not None:
                raise ParseError(f"JSON lines parse error on line {number}: {reason}.")
            items.append(item)
        return items
