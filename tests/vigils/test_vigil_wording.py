"""How slot times and counts read: "00:00–01:00 JST" (24 hours, an en dash, the zone's
abbreviation), and counts that agree in number ("1 is full", "2 are full", "1 slot")."""

import datetime
import zoneinfo

import pytest
from django.test import RequestFactory

from tests.factories import add_vigil
from vigils.models import VigilSlot
from vigils.slots import format_range, slot_label
from vigils.views.vigils import done_message

pytestmark = pytest.mark.django_db

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
LONDON = zoneinfo.ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 2, 20, 12, tzinfo=datetime.UTC)


def test_a_range_reads_with_the_zone_abbreviation_once():
    start = datetime.datetime(2026, 3, 1, 0, tzinfo=TOKYO)
    assert format_range(start, start + datetime.timedelta(hours=1)) == "00:00–01:00 JST"


def test_a_range_across_a_clock_change_names_both_zones():
    first_one_oclock = datetime.datetime(2026, 10, 25, 0, 0, tzinfo=datetime.UTC)
    start = first_one_oclock.astimezone(LONDON)
    end = (first_one_oclock + datetime.timedelta(hours=1)).astimezone(LONDON)
    assert format_range(start, end) == "01:00 BST–01:00 GMT"


@pytest.fixture
def tokyo_vigil(site_pages):
    home, _ = site_pages
    return add_vigil(
        home,
        time_zone="Asia/Tokyo",
        start_date=datetime.date(2026, 3, 1),
        start_time=datetime.time(0),
        end_date=datetime.date(2026, 3, 1),
        end_time=datetime.time(2),
        capacity=2,
    )


def test_tokyo_slots_read_in_jst_in_the_grid_and_in_words(client, tokyo_vigil, time_machine):
    time_machine.move_to(NOW, tick=False)
    html = client.get(tokyo_vigil.url, {"tz": "Asia/Tokyo"}).content.decode()
    assert "00:00–01:00 JST" in html and "01:00–02:00 JST" in html
    first = VigilSlot.objects.filter(vigil=tokyo_vigil).order_by("starts_at").first()
    assert slot_label(first, TOKYO) == "Sunday 1 March, 00:00–01:00 JST"


@pytest.mark.parametrize(
    ("full", "words"), [(0, "0 are full"), (1, "1 is full"), (2, "2 are full")]
)
def test_full_slots_agree_in_number(client, tokyo_vigil, time_machine, full, words):
    time_machine.move_to(NOW, tick=False)
    for slot in VigilSlot.objects.filter(vigil=tokyo_vigil).order_by("starts_at")[:full]:
        VigilSlot.objects.filter(pk=slot.pk).update(taken=2)
    html = client.get(tokyo_vigil.url).content.decode()
    assert f"{full} of 2 slots {'has' if full == 1 else 'have'} someone praying, {words}." in html


@pytest.mark.parametrize(("hours", "words"), [(1, "1 slot of"), (2, "2 slots of")])
def test_the_slot_count_agrees_in_number(client, site_pages, time_machine, hours, words):
    time_machine.move_to(NOW, tick=False)
    home, _ = site_pages
    vigil = add_vigil(
        home,
        start_date=datetime.date(2026, 3, 1),
        start_time=datetime.time(0),
        end_date=datetime.date(2026, 3, 1),
        end_time=datetime.time(hours),
    )
    assert words in client.get(vigil.url).content.decode()


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ("cancelled=0", "Cancelled 0 slots."),
        ("cancelled=1", "Cancelled 1 slot."),
        ("cancelled=2", "Cancelled 2 slots."),
        ("booked=1", "You are signed up for 1 slot."),
        ("booked=2", "You are signed up for 2 slots."),
    ],
)
def test_done_messages_agree_in_number(query, sentence):
    assert done_message(RequestFactory().get(f"/?{query}")).startswith(sentence)
