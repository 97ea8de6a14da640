"""JSON values that parse yet no request body or feed row can be:

- Nested deeper than MAX_DEPTH. Python's parser raises RecursionError (not ValueError) at about
  a thousand levels; a value just under that parses, and then every recursive walk over it
  (serializers, the idempotency fingerprint, the renderer of an error that echoes it) risks the
  same. No product, brand, category or sign-in comes near MAX_DEPTH. The API's parsers and the
  feed imports refuse it.
- A text holding half of a UTF-16 surrogate pair. JSON's escapes can write one (`"\\ud800"`
  alone), and bytes that are not UTF-8, read with the `surrogateescape` error handler, become
  one each. It is no character: MySQL cannot store it, nor a UTF-8 report echo it. The feed
  imports reject such a row (the API's fields refuse such a value one by one).
"""

from collections.abc import Callable
from typing import Any

MAX_DEPTH = 32
TOO_DEEP = f"{{whole}} is nested more than {MAX_DEPTH} levels deep"
HALF_A_SURROGATE_PAIR = "half of a UTF-16 surrogate pair, which is no character"


def nested_too_deep(value: Any) -> bool:
    """Whether lists and objects nest more than MAX_DEPTH levels (walked without recursion)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class TooDeep(Exception):
    """A JSON value nested deeper than MAX_DEPTH (see `within_depth`)."""


def within_depth(load: Callable[[], Any]) -> Any:
    """The value `load()` parses; TooDeep when it nests deeper than MAX_DEPTH, whether the parser
    gave up on it (RecursionError) or it parsed."""
    try:
        value = load()
    except RecursionError:
        raise TooDeep from None
    if nested_too_deep(value):
        raise TooDeep
    return value


def is_unicode(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def non_unicode_text(value: Any, *, whole: str) -> str | None:
    """Where the first text (or object key) of `value` that is no Unicode is and why, as
    `variants.0.sku: the text holds half of ...` (`whole` names the value itself); None when
    every text is Unicode."""
    pending: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while pending:
        item, path = pending.pop()
        place = ".".join(path) or whole
        if isinstance(item, str) and not is_unicode(item):
            return f"{place}: the text holds {HALF_A_SURROGATE_PAIR}"
        if isinstance(item, dict):
            for key, child in item.items():
                if not is_unicode(key):
                    return f"{place}: a key holds {HALF_A_SURROGATE_PAIR}"
                pending.append((child, (*path, key)))
        elif isinstance(item, list):
            pending.extend((child, (*path, str(index))) for index, child in enumerate(item))
    return None


def undecodable_byte(text: str) -> str | None:
    """Where the first byte that was not UTF-8 is in a text read with `surrogateescape` (which
    keeps such a byte as the character U+DC00 + byte), as `byte 0xE9 at column 4`; None when
    there is none."""
    for column, character in enumerate(text, 1):
        if "\udc80" <= character <= "\udcff":
            return f"byte 0x{ord(character) - 0xDC00:02X} at column {column}"
    return None
