"""Churches are matched by normalised name, city and country."""

import pytest

from campaigns.matching import match_key, normalise_text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("grace  community   CHURCH", "Grace Community Church"),
        ("St. Mary's Church", "Saint Marys Church"),
        ("The Grace Church", "Grace Church"),
        ("Grace & Truth", "grace and truth"),
        ("Église Saint-Jean", "eglise saint jean"),
        ("  Hope   City,Church ", "Hope City Church"),
        ("ＧＲＡＣＥ", "grace"),  # full-width letters
        ("Straße", "STRASSE"),
    ],
)
def test_same_church_written_differently(typed, stored):
    assert normalise_text(typed) == normalise_text(stored)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Church of Christ", "Christ Church"),
        ("Grace Church", "Grace Baptist Church"),
        ("Grace Church", "Grace Chapel"),
        ("हिंदी चर्च", "हिदी चर्च"),  # a dropped vowel sign changes a Devanagari word
    ],
)
def test_different_churches_stay_different(one, other):
    assert normalise_text(one) != normalise_text(other)


def test_scripts_other_than_latin_are_kept():
    assert normalise_text("東京 教会") == "東京 教会"
    assert normalise_text("Церковь Благодать") == "церковь благодать"


def test_key_includes_city_and_country():
    assert match_key("Grace Church", "Manchester", "GB") != match_key("Grace Church", "Leeds", "GB")
    assert match_key("Grace Church", "Manchester", "GB") != match_key(
        "Grace Church", "Manchester", "US"
    )
    assert match_key("grace church", " MANCHESTER ", "gb") == match_key(
        "Grace Church", "Manchester", "GB"
    )
    assert len(match_key("x" * 500, "y" * 500, "GB")) <= 320
