"""Slot generation: UTC instants from host wall-clock times, right across daylight saving."""

import datetime
import zoneinfo

import pytest

from tests.factories import add_vigil
from vigils.models import VigilSlot
from vigils.slots import parse_slot_key, slot_key, slot_times, sync_slots

UTC = datetime.UTC


def grid_over(zone_name, start_date, end_date, minutes=60, start=20, end=8):
    zone = zoneinfo.ZoneInfo(zone_name)
    starts_at = datetime.datetime.combine(start_date, datetime.time(start), tzinfo=zone)
    ends_at = datetime.datetime.combine(end_date, datetime.time(end), tzinfo=zone)
    return slot_times(starts_at.astimezone(UTC), ends_at.astimezone(UTC), minutes)


@pytest.mark.parametrize(
    ("zone_name", "night", "hours"),
    [
        ("Europe/London", datetime.date(2026, 3, 28), 11),  # clocks go forward: 11 real hours
        ("Europe/London", datetime.date(2026, 10, 24), 13),  # clocks go back: 13 real hours
        ("America/New_York", datetime.date(2026, 3, 7), 11),
        ("America/New_York", datetime.date(2026, 10, 31), 13),
    ],
)
def test_sixty_minute_grid_over_a_clock_change_has_no_gap_and_no_double(zone_name, night, hours):
    times = grid_over(zone_name, night, night + datetime.timedelta(days=1))

    starts = [start for start, _ in times]
    assert len(starts) == hours
    assert len(set(starts)) == len(starts), "no instant twice"
    assert all(
        b - a == datetime.timedelta(hours=1) for a, b in zip(starts, starts[1:], strict=False)
    )
    assert all(end - start == datetime.timedelta(hours=1) for start, end in times)


def test_fall_back_night_shows_one_oclock_twice_in_local_time_with_different_zones():
    zone = zoneinfo.ZoneInfo("Europe/London")
    times = grid_over("Europe/London", datetime.date(2026, 10, 24), datetime.date(2026, 10, 25))
    local = [start.astimezone(zone) for start, _ in times]

    one_oclock = [moment for moment in local if moment.hour == 1]
    assert len(one_oclock) == 2
    assert {moment.tzname() for moment in one_oclock} == {"BST", "GMT"}


def test_spring_forward_night_skips_the_missing_local_hour():
    zone = zoneinfo.ZoneInfo("America/New_York")
    times = grid_over("America/New_York", datetime.date(2026, 3, 7), datetime.date(2026, 3, 8))
    local_hours = [start.astimezone(zone).hour for start, _ in times]

    assert 2 not in local_hours
    assert local_hours == [20, 21, 22, 23, 0, 1, 3, 4, 5, 6, 7]


def test_fifteen_minute_slots_and_a_short_last_slot():
    start = datetime.datetime(2026, 3, 1, 20, tzinfo=UTC)
    times = slot_times(start, start + datetime.timedelta(minutes=50), 15)

    assert [end - begin for begin, end in times] == [
        datetime.timedelta(minutes=m) for m in (15, 15, 15, 5)
    ]


def test_slot_keys_round_trip_and_reject_junk():
    moment = datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert slot_key(moment) == "20260329T0100Z"
    assert parse_slot_key("20260329T0100Z") == moment
    for junk in ["", "2026-03-29", "20261399T0100Z", "<script>", "x" * 10_000, None, 5]:
        assert parse_slot_key(junk) is None


@pytest.mark.django_db
def test_publishing_a_vigil_creates_its_slots_in_the_host_zone(site_pages):
    home, _ = site_pages
    vigil = add_vigil(
        home,
        time_zone="Europe/London",
        start_date=datetime.date(2026, 3, 28),
        start_time=datetime.time(20),
        end_date=datetime.date(2026, 3, 29),
        end_time=datetime.time(8),
    )

    slots = list(VigilSlot.objects.filter(vigil=vigil))
    assert len(slots) == 11
    assert slots[0].starts_at == datetime.datetime(2026, 3, 28, 20, tzinfo=UTC)  # GMT
    assert slots[-1].ends_at == datetime.datetime(2026, 3, 29, 7, tzinfo=UTC)  # 08:00 BST
    assert {slot.capacity for slot in slots} == {1}


@pytest.mark.django_db
def test_changing_the_times_keeps_slots_people_hold_and_never_lowers_below_taken(site_pages):
    home, _ = site_pages
    vigil = add_vigil(home, capacity=3)
    held = VigilSlot.objects.filter(vigil=vigil).first()
    VigilSlot.objects.filter(pk=held.pk).update(taken=2)

    vigil.start_time = datetime.time(22)
    vigil.capacity = 1
    vigil.save()
    sync_slots(vigil)

    held.refresh_from_db()
    assert held.taken == 2 and held.capacity == 2, "kept, and nobody pushed out"
    others = VigilSlot.objects.filter(vigil=vigil).exclude(pk=held.pk)
    assert others.count() == 10  # 22:00 to 08:00
    assert set(others.values_list("capacity", flat=True)) == {1}
