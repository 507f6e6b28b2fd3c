"""The coverage grid: every slot in the visitor's zone, states told apart without colour."""

import datetime
import re

import pytest

from tests.factories import add_vigil
from vigils.models import SlotBooking, VigilSignup, VigilSlot
from vigils.slots import slot_key

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 20, 12, tzinfo=UTC)
# The same for 3 slots as for 30: slots, bookings and themes are one query each.
# The Site and the home page come from the cache (core/caching.py), the view restrictions
# from one query for the request (core/page_privacy.py).
QUERIES_FOR_ANY_SIZE = 6


@pytest.fixture
def vigil(site_pages):
    home, _ = site_pages
    # The night London's clocks go forward: 20:00 GMT to 08:00 BST is 11 hours.
    return add_vigil(
        home,
        title="Night of prayer",
        time_zone="Europe/London",
        start_date=datetime.date(2026, 3, 28),
        start_time=datetime.time(20),
        end_date=datetime.date(2026, 3, 29),
        end_time=datetime.time(8),
        capacity=2,
    )


def hold(vigil, start, name="Ruth", email=None):
    slot = VigilSlot.objects.get(vigil=vigil, starts_at=start)
    signup, _ = VigilSignup.objects.get_or_create(
        vigil=vigil,
        email=email or f"{name.lower() or 'anon'}@example.org",
        defaults={"display_name": name, "status": VigilSignup.Status.CONFIRMED},
    )
    SlotBooking.objects.create(signup=signup, slot=slot)
    VigilSlot.objects.filter(pk=slot.pk).update(taken=slot.taken + 1)


def slot_cell(html, start):
    match = re.search(
        rf'<div class="vigil-slot[^"]*" id="slot-{slot_key(start)}".*?</div>', html, re.S
    )
    assert match, f"no slot {slot_key(start)} in the grid"
    return match.group(0)


@pytest.mark.parametrize(
    ("zone", "first_label", "columns"),
    [
        ("Europe/London", "20:00–21:00 GMT", ["Sat 28 Mar", "Sun 29 Mar"]),
        ("America/New_York", "16:00–17:00 EDT", ["Sat 28 Mar", "Sun 29 Mar"]),
        ("Asia/Kolkata", "01:30–02:30 IST", ["Sun 29 Mar"]),
    ],
)
def test_grid_in_three_time_zones(client, vigil, time_machine, zone, first_label, columns):
    time_machine.move_to(NOW, tick=False)
    response = client.get(vigil.url, {"tz": zone})
    html = response.content.decode()

    assert response.status_code == 200
    assert f"in {zone} time" in html
    first = datetime.datetime(2026, 3, 28, 20, tzinfo=UTC)
    assert first_label in slot_cell(html, first)
    header = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert re.findall(r'<th scope="col">([^<]+)</th>', header)[1:] == columns
    assert html.count('name="slots"') == 11


def test_london_grid_has_no_two_oclock_on_the_night_clocks_go_forward(client, vigil, time_machine):
    time_machine.move_to(NOW, tick=False)
    html = client.get(vigil.url, {"tz": "Europe/London"}).content.decode()

    rows = re.findall(r'<th scope="row">(\d\d:00)</th>', html)
    assert "01:00" not in rows, "01:00-02:00 GMT does not exist that night"
    assert rows == [
        "00:00",
        "02:00",
        "03:00",
        "04:00",
        "05:00",
        "06:00",
        "07:00",
        "20:00",
        "21:00",
        "22:00",
        "23:00",
    ]


def test_states_have_text_and_icon_and_the_percentage_counts_slots_with_someone(
    client, vigil, time_machine
):
    time_machine.move_to(NOW, tick=False)
    first = datetime.datetime(2026, 3, 28, 20, tzinfo=UTC)
    second = first + datetime.timedelta(hours=1)
    hold(vigil, first, "Ruth")
    hold(vigil, first, "", email="quiet@example.org")
    hold(vigil, second, "Amos")

    html = client.get(vigil.url, {"tz": "Europe/London"}).content.decode()

    covered = slot_cell(html, first)
    assert "✓" in covered and "Covered (2 of 2)" in covered
    assert "Ruth, someone" in covered
    assert 'name="slots"' not in covered, "a full slot cannot be chosen"
    partly = slot_cell(html, second)
    assert "◐" in partly and "Partly covered (1 of 2)" in partly and "Amos" in partly
    empty = slot_cell(html, second + datetime.timedelta(hours=1))
    assert "○" in empty and "Empty" in empty
    assert "18% covered" in html  # 2 of 11 slots
    assert "quiet@example.org" not in html


def test_unknown_zone_falls_back_to_the_host_zone(client, vigil, time_machine):
    time_machine.move_to(NOW, tick=False)
    for junk in ["Mars/Olympus", "<script>alert(1)</script>", "x" * 10_000]:
        response = client.get(vigil.url, {"tz": junk})
        assert response.status_code == 200
        assert "in Europe/London time" in response.content.decode()


@pytest.mark.usefixtures("drawn_pages")
@pytest.mark.parametrize("slot_count", [3, 30])
def test_grid_does_not_query_per_slot(
    client, site_pages, time_machine, django_assert_num_queries, slot_count
):
    home, _ = site_pages
    time_machine.move_to(NOW, tick=False)
    vigil = add_vigil(
        home,
        start_date=datetime.date(2026, 3, 28),
        start_time=datetime.time(0),
        end_date=datetime.date(2026, 3, 28),
        end_time=datetime.time(slot_count // 2),
        slot_minutes=30,
    )
    for index, slot in enumerate(VigilSlot.objects.filter(vigil=vigil)):
        if index % 2:
            hold(vigil, slot.starts_at, f"Person {index}")
    client.get(vigil.url)  # warm the caches (menu, settings)

    with django_assert_num_queries(QUERIES_FOR_ANY_SIZE):
        response = client.get(vigil.url, {"tz": "America/New_York"})
    assert response.content.decode().count('class="vigil-slot ') == slot_count // 2 * 2


def test_pulse_shows_who_prays_now_and_the_next_empty_slot(client, vigil, time_machine):
    first = datetime.datetime(2026, 3, 28, 20, tzinfo=UTC)
    hold(vigil, first, "Ruth")
    hold(vigil, first, "", email="quiet@example.org")
    hold(vigil, first + datetime.timedelta(hours=1), "Amos")
    time_machine.move_to(first + datetime.timedelta(minutes=20), tick=False)

    html = client.get(vigil.url + "pulse/", {"tz": "Europe/London"}).content.decode()

    assert "Ruth, someone are praying right now" in html
    assert "Amos" not in html
    next_empty = first + datetime.timedelta(hours=2)
    assert f"#pick-{slot_key(next_empty)}" in html
    assert "Saturday 28 March, 22:00–23:00 GMT" in html

    page = client.get(vigil.url, {"tz": "Europe/London"}).content.decode()
    assert "Ruth, someone are praying right now" in page
    assert 'data-vigil-pulse="' in page and "vigil-pulse.js" in page
    assert "<script>" not in page


def test_pulse_before_and_after_the_vigil(client, vigil, time_machine):
    time_machine.move_to(NOW, tick=False)
    assert "has not started yet" in client.get(vigil.url + "pulse/").content.decode()
    time_machine.move_to(datetime.datetime(2026, 3, 30, tzinfo=UTC), tick=False)
    html = client.get(vigil.url + "pulse/").content.decode()
    assert "has ended" in html and "Fill this slot" not in html
