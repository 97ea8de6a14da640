"""JSON values no body or feed row can be: nested past MAX_DEPTH, or holding text that is no
Unicode (half a surrogate pair from a JSON escape, a byte that was not UTF-8 read with
`surrogateescape`), found and placed."""

import json

import pytest

from shared.json_values import MAX_DEPTH, is_unicode, nested_too_deep, non_unicode_text, undecodable_byte


def _nested(levels: int) -> object:
    value: object = "red"
    for _ in range(levels):
        value = [value]
    return value


def test_nesting_up_to_the_limit_is_fine_and_one_level_more_is_too_deep():
    assert not nested_too_deep({"attributes": _nested(MAX_DEPTH - 1)})
    assert nested_too_deep({"attributes": _nested(MAX_DEPTH)})


def test_a_character_past_the_basic_plane_is_unicode_and_half_of_its_pair_is_not():
    # given the two halves JSON's escapes write for one emoji, parsed whole and alone
    whole = json.loads('"\\ud83d\\ude42"')
    half = json.loads('"\\ud83d"')

    assert is_unicode(whole) and whole == "\U0001f642"
    assert not is_unicode(half)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"name": "Lamp", "tags": ["a", "\ud800"]}, "tags.1: the text holds half of a"),
        ({"variants": [{"options": {"\udfff": "S"}}]}, "variants.0.options: a key holds half of a"),
        ("\ud800", "the row: the text holds half of a"),
    ],
)
def test_the_first_text_that_is_no_unicode_is_named_by_where_it_is(value, reason):
    assert non_unicode_text(value, whole="the row").startswith(reason)


def test_a_value_whose_texts_are_all_unicode_has_no_reason():
    assert (
        non_unicode_text({"name": "Café 🙂", "tags": ["ß"], "stock": 3, "price": None}, whole="the row")
        is None
    )


def test_a_byte_that_was_not_utf8_is_named_with_its_column():
    # given a line written as Latin-1, read as UTF-8 keeping what is not
    text = "Café,1".encode("latin-1").decode("utf-8", errors="surrogateescape")

    assert undecodable_byte(text) == "byte 0xE9 at column 4"
    assert undecodable_byte("Café,1") is None
