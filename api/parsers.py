"""The API's JSON parsers: DRF's JSONParser and a JSON lines parser, refusing a body nested
deeper than any request needs (`shared.json_values`, whose rule the feed imports share) with a
400 saying so: Python's parser raises RecursionError (not ValueError) at about a thousand
levels, which DRF let through as a 500.

A text holding half of a UTF-16 surrogate pair parses: each field refuses it with a 400 naming
the field, and an error that echoes it is written as JSON's escape (`api.renderers`)."""

import json
from functools import partial
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

from shared.json_values import TOO_DEEP, TooDeep, within_depth

BODY_TOO_DEEP = f"JSON parse error - {TOO_DEEP.format(whole='the body')}."


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        parse = super().parse
        try:
            return within_depth(lambda: parse(stream, media_type, parser_context))
        except TooDeep:
            raise ParseError(BODY_TOO_DEEP) from None


class JSONLinesParser(parsers.BaseParser):
    """JSON lines (`application/x-ndjson`), the bulk commands' other body: one JSON value per
    line, parsed into a list; blank lines are skipped. A line that is not JSON, or nests too deep,
    is refused with a 400 naming the line."""

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
                item = within_depth(partial(json.loads, line, parse_constant=strict_constant))
            except ValueError as error:
                raise ParseError(f"JSON lines parse error on line {number}: {error}") from None
            except TooDeep:
                raise ParseError(
                    f"JSON lines parse error on line {number}: {TOO_DEEP.format(whole='the line')}."
                ) from None
            items.append(item)
        return items
