"""How far a did-you-mean correction may go from the words typed (search.text.within_edits), with
the bound the read side applies to corrections by sound (search.queries.sound_edits)."""

import pytest

from search.queries import sound_edits
from search.text import within_edits


@pytest.mark.parametrize(
    ("typed", "correction", "reached"),
    [
        ("hedfones", "headphones", True),
        ("chef nives", "chef knife", True),
        ("fone case", "phone case", True),
        ("Crème brulée", "creme brulee", True),
        ("wifi", "wave", False),
        ("kofee table", "coffee tablecloth", False),
    ],
)
def test_a_correction_by_sound_may_change_up_to_half_a_word(typed, correction, reached):
    assert within_edits(typed, correction, allowed=sound_edits) is reached


def test_a_correction_of_another_number_of_words_is_not_compared():
    assert within_edits("usbc hub", "usb c hub", allowed=sound_edits)
