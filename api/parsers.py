"""The API's JSON parsers: DRF's JSONParser and a JSON lines parser, refusing bodies that are
valid JSON yet no request can use (nested too deep, or holding text that is no Unicode; see
`shared.json_values`) with a 400 saying why, where a 500 followed before."""

import json
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

from shared.json_values import nested_too_deep, refusal


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - {nested_too_deep('the body')}.") from None
        if (reason := refusal(data)) is not None:
            raise ParseError(f"JSON parse error - {reason}.")
        return data


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
            except ValueError as error:
                raise ParseError(f"JSON lines parse error on line {number}: {error}") from None
            except RecursionError:
                raise ParseError(
                    f"JSON lines parse error on line {number}: {nested_too_deep('the line')}."
                ) from None
            if (reason := refusal(item, whole="the line")) is not None:
                raise ParseError(f"JSON lines parse error on line {number}: {reason}.")
            items.append(item)
        return items
