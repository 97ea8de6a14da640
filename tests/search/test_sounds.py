"""How words sound (search.sounds): the keys that let did-you-mean reach misspellings three or
more edits away, and the corrections taken from the names that share them."""

import pytest

from search import sounds


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("hedfones", "headphones"),
        ("nives", "knife"),
        ("knives", "knife"),
        ("kamera", "camera"),
        ("vacum", "vacuum"),
        ("Kopfhörer", "kopfhorer"),
    ],
)
def test_a_misspelling_spelt_as_it_sounds_has_the_key_of_the_word_meant(typed, meant):
    assert sounds.key(sounds.words(typed)[0]) == sounds.key(meant)


@pytest.mark.parametrize(
    ("word", "other"), [("headphones", "handbag"), ("kettle", "kitten"), ("laptop", "lamp")]
)
def test_words_that_sound_different_have_different_keys(word, other):
    assert sounds.key(word) != sounds.key(other)


def test_words_too_short_to_tell_have_no_key():
    assert sounds.keys("tv on a usb hub") == []


def test_the_keys_of_a_name_are_its_words_each_once():
    assert sounds.keys("Knife, knives & Knife-Block") == [sounds.key("knife"), sounds.key("block")]


def test_a_correction_replaces_only_the_words_no_name_has():
    # "santoku" is the catalog's word; "nives" sounds like "knife"
    assert sounds.corrected("Santoku nives", names=["Santoku Knife", "Bread Knife"]) == "santoku knife"


def test_of_the_words_that_sound_alike_the_one_spelt_most_alike_replaces():
    names = ["Café Crème Cup", "Café Table", "Coffee Maker", "Knife Block", "Knives Set"]

    # "cafe" and "coffee" sound alike (and "cafe" is more frequent), "knife" and "knives" too
    assert sounds.corrected("kofee nives", names=names) == "coffee knives"


def test_what_is_not_a_word_stays_as_typed():
    names = ["Sony WH1000 Headphones", "Sony Speaker"]

    assert sounds.corrected("Sony WH1000  hedfones!", names=names) == "sony wh1000 headphones!"


@pytest.mark.parametrize(
    ("typed", "names", "correction"),
    [
        ("hedfones", ["Studio Headphones"], "headphones"),
        ("fone case", ["Phone Case"], "phone case"),
        ("Crème brulée torch", ["Creme Brulee Torch"], None),
        # "wave" sounds like "wifi" (WF), but is three edits of four letters away
        ("wifi", ["Wave Speaker"], None),
    ],
)
def test_a_correction_changes_at_most_half_of_a_word(typed, names, correction):
    assert sounds.corrected(typed, names=names) == correction


def test_no_correction_when_every_word_is_the_catalogs_or_sounds_like_none_of_it():
    assert sounds.corrected("bread knife", names=["Bread Knife"]) is None
    assert sounds.corrected("garden hose", names=["Bread Knife"]) is None
