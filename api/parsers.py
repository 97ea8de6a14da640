"""The API's JSON parser: DRF's JSONParser, refusing bodies nested deeper than any request needs.

Python's parser raises RecursionError (not ValueError) at about a thousand levels, which DRF
let through as a 500; a body just under that parses, and then every recursive walk over it
(serializers, the idempotency fingerprint, the renderer of an error that echoes it) risks the
same. No product, brand, category or sign-in body comes near MAX_DEPTH, so deeper is bad input.
"""

import json
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

MAX_DEPTH = 32
TOO_DEEP = f"JSON parse error - the body is nested more than {MAX_DEPTH} levels deep."


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if nested_deeper_than(data, MAX_DEPTH):
            raise ParseError(TOO_DEEP)
        return data


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels (walked without recursion)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class JSONLinesParser(parsers.BaseParser):
    """JSON lines (`application/x-ndjson`), the bulk commands' other body: one JSON value per
    line, parsed into a list; blank lines are skipped. A line that is not JSON (or nests deeper
    than MAX_DEPTH) is refused with a 400 naming the line."""

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
            if nested_deeper_than(item, MAX_DEPTH):
                raise ParseError(f"JSON lines parse error on line {number}: nested over {MAX_DEPTH} levels.")
            items.append(item)
        return items
