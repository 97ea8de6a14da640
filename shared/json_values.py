"""Texts that are no Unicode: Python strings holding half of a UTF-16 surrogate pair. JSON's
escapes can write one (`"\\ud800"` alone), and bytes that are not UTF-8, read with the
`surrogateescape` error handler, become one each. MySQL cannot store them, and no answer or
report that echoes one can be written as UTF-8, so every way in (request bodies, feeds) refuses
them as bad input, saying where."""

from typing import Any

HALF_A_SURROGATE_PAIR = "half of a UTF-16 surrogate pair, which is no character"


def is_unicode(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def non_unicode_text(value: Any, *, whole: str = "the body") -> str | None:
    """Where the first text (or object key) of a JSON value that is no Unicode is and why, as
    `variants.0.sku: the text holds half of ...` (`whole` names the value itself); None when
    every text is Unicode. Walked without recursion."""
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
