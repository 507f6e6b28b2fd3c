"""The forgiving listing filters' own rules (core/filters.py)."""

from django.http import QueryDict

from core.filters import ListingFilters, shown


def test_the_note_repeats_a_value_without_control_characters_and_cut_short():
    assert shown("a\x00b\u200bc\td") == "abcd"
    assert shown("x" * 41) == "x" * 39 + "…"
    assert shown("x" * 40) == "x" * 40


def test_a_value_too_long_or_with_nul_is_never_looked_up():
    looked_up = []
    filters = ListingFilters({"a": "x" * 101, "b": "k\x00", "c": "fine"}, items="things")
    for name in "abc":
        filters.choose(name, lambda value: looked_up.append(value))
    assert looked_up == ["fine"]
    assert len(filters.notes) == 3


def test_pagination_keeps_the_valid_filters_and_drops_the_ignored_ones():
    params = QueryDict("tag=known&region=atlantis&page=2")
    filters = ListingFilters(params, items="stories")
    filters.choose("tag", lambda value: value if value == "known" else None)
    filters.choose("region", lambda value: None)
    assert filters.query().urlencode() == "tag=known&page=2"
    assert filters.notes == ["No region called “atlantis”; leaving that filter out."]


def test_nothing_ignored_means_nothing_to_say():
    filters = ListingFilters(QueryDict("tag=known"), items="stories")
    filters.choose("tag", lambda value: value)
    assert filters.context() == {"filter_notes": [], "listing_query": None}
