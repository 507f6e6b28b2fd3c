"""`make bench-rush`'s plan and arithmetic (bench/rush.py), without a server: the visitors
arrive in the digest's mix, within the period, and the percentiles are nearest-rank."""

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def rush():
    sys.path.insert(0, str(BENCH))  # the benchmarks import their helpers as top-level modules
    try:
        yield importlib.import_module("rush")
    finally:
        sys.path.remove(str(BENCH))


SITE = {
    "wall": "/prayer-wall/",
    "stories": ["/stories/a/", "/stories/b/", "/stories/c/"],
    "vigil": "/vigil/",
    "subscribe": "/pray/subscribe/",
    "approved": [4, 9],
}


@pytest.mark.parametrize("visitors", [3000, 1, 7, 31, 1001])
def test_the_mix_adds_up_to_the_visitors(rush, visitors):
    counts = rush.mix_counts(visitors)
    assert sum(counts.values()) == visitors
    for kind, share in rush.MIX.items():
        assert abs(counts[kind] - share * visitors) < 1, kind


def test_three_thousand_visitors_in_the_digest_mix(rush):
    assert rush.mix_counts(3000) == {
        "wall": 1500,
        "story": 1000,
        "prayed": 300,
        "vigil": 100,
        "subscribe": 100,
    }


@pytest.mark.parametrize("arrivals", ["poisson", "even"])
def test_the_plan_sends_every_visitor_within_the_period_in_order(rush, arrivals):
    plan = rush.plan_visits(SITE, 3000, 60, arrivals, seed=1)
    times = [at for at, _kind, _target in plan]
    assert len(plan) == 3000
    assert times == sorted(times)
    assert times[0] >= 0 and times[-1] < 60
    kinds = [kind for _at, kind, _target in plan]
    assert {kind: kinds.count(kind) for kind in rush.MIX} == rush.mix_counts(3000)
    # Shuffled: the first and the last minute's halves hold every kind.
    assert set(kinds[:1500]) == set(kinds[1500:]) == set(rush.MIX)


def test_each_kind_asks_for_its_page(rush):
    for _at, kind, target in rush.plan_visits(SITE, 300, 6, "poisson", seed=2):
        if kind == "story":
            assert target in SITE["stories"]
        elif kind == "prayed":
            assert target in SITE["approved"]
        else:
            assert target == SITE[kind]


def test_the_same_seed_makes_the_same_plan(rush):
    assert rush.plan_visits(SITE, 100, 2, "poisson", 5) == rush.plan_visits(
        SITE, 100, 2, "poisson", 5
    )
    assert rush.plan_visits(SITE, 100, 2, "poisson", 5) != rush.plan_visits(
        SITE, 100, 2, "poisson", 6
    )


def test_percentiles_are_nearest_rank(rush):
    values = list(range(100, 0, -1))  # 1..100, unordered
    assert rush.percentile(values, 0.50) == 50
    assert rush.percentile(values, 0.95) == 95
    assert rush.percentile(values, 0.99) == 99
    assert rush.percentile([7], 0.95) == 7
    assert rush.percentile([1, 2, 3], 0.95) == 3


def test_errors_are_counted_by_kind_and_status(rush):
    outcomes = [
        ("wall", 200, 10.0, 0.1, None),
        ("wall", 500, 20.0, 0.1, None),
        ("story", 302, 30.0, 0.1, None),
        ("prayed", 429, 40.0, 0.1, None),
        ("prayed", "timeout", 50.0, 0.1, None),
    ]
    figures = rush.summarise(outcomes, sent_for=1.0, seconds=1.0, visitors=5)
    assert figures["errors"] == 3
    assert figures["errors_by_kind"] == {"wall": {"500": 1}, "prayed": {"429": 1, "timeout": 1}}
    assert figures["latency"]["p50_ms"] == 30.0


def test_the_prayed_button_is_posted_where_its_form_says(rush):
    on_wall = (
        '<form class="prayed-form" method="post" action="/prayer-wall/4/prayed/" data-prayed-form>'
        '<input type="hidden" name="csrfmiddlewaretoken" value="x"><button>I prayed</button></form>'
    )
    token_free = (
        '<form method="post" action="/pray/request/12/prayed/" data-prayed-form>'
        '<input type="hidden" name="next" value="/prayer-wall/"><button>I</button></form>'
    )
    other_form = '<form method="post"><input name="csrfmiddlewaretoken" value="y"></form>'
    wall = "/prayer-wall/"
    assert rush.prayed_button(on_wall + other_form, wall) == ("/prayer-wall/{pk}/prayed/", True)
    token_free_button = ("/pray/request/{pk}/prayed/", False)
    assert rush.prayed_button(token_free + other_form, wall) == token_free_button
    # No "I prayed" form: the wall's own route, and the page says whether a token is needed.
    assert rush.prayed_button(other_form, wall) == ("/prayer-wall/{pk}/prayed/", True)
    assert rush.prayed_button("<p>No requests</p>", wall) == ("/prayer-wall/{pk}/prayed/", False)
