"""A month-long vigil of 15-minute slots stays light: one load, a day at a time (issue 16)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import add_vigil, guarded
from vigils.demo import create_vigil_demo
from vigils.models import SlotBooking, VigilPage, VigilSignup, VigilSlot, VigilTheme
from vigils.page_weight import page_weight
from vigils.slots import slot_key

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 20, 12, tzinfo=UTC)
MAX_GZIP_BYTES = 60_000
MAX_ELEMENTS = 1_500


def month_of_quarter_hours(home, **fields):
    return add_vigil(
        home,
        time_zone="Europe/London",
        start_date=datetime.date(2026, 4, 1),
        start_time=datetime.time(0),
        end_date=datetime.date(2026, 5, 2),
        end_time=datetime.time(0),
        slot_minutes=15,
        capacity=2,
        **fields,
    )


@pytest.fixture
def month_vigil(site_pages):
    """31 days of 15-minute slots, every slot of the first day held by someone with a name,
    under a theme: the heaviest first day a month-long vigil can have."""
    home, _ = site_pages
    vigil = month_of_quarter_hours(home, title="A month of prayer")
    VigilTheme.objects.create(
        page=vigil,
        title="Children at risk",
        start_time=datetime.time(0),
        end_time=datetime.time(23, 59),
    )
    first_day = VigilSlot.objects.filter(vigil=vigil).order_by("starts_at")[:96]
    signup = VigilSignup.objects.create(
        vigil=vigil, email="ruth@example.org", display_name="Ruth Abimbola Okonkwo-Smith"
    )
    SlotBooking.objects.bulk_create([SlotBooking(signup=signup, slot=slot) for slot in first_day])
    VigilSlot.objects.filter(pk__in=[slot.pk for slot in first_day]).update(taken=1)
    return vigil


def test_a_31_day_vigil_of_15_minute_slots_is_light_and_loads_once(
    client, month_vigil, time_machine
):
    time_machine.move_to(NOW, tick=False)
    assert VigilSlot.objects.filter(vigil=month_vigil).count() == 31 * 96 == 2976

    response = client.get(month_vigil.url)

    assert response.status_code == 200
    weight = page_weight(response.content)
    assert weight["gzip_bytes"] <= MAX_GZIP_BYTES, weight
    assert weight["elements"] <= MAX_ELEMENTS, weight
    html = response.content.decode()
    # Nothing sends the visitor to a second page: the grid is usable as served, and every
    # time carries its UTC instant for the browser to show in the visitor's own zone.
    assert "location" not in re.sub(r"<script src=[^>]*>", "", html).split("</main>")[0]
    assert '<time class="vigil-slot__time" datetime="2026-03-31T23:00:00Z"' in html
    assert html.count('class="vigil-slot ') == 96, "the first day (London time), not 2,976"
    assert "Children at risk" in html and "Ruth Abimbola" in html


def test_each_day_has_its_link_and_page(client, month_vigil, time_machine):
    time_machine.move_to(NOW, tick=False)
    html = client.get(month_vigil.url).content.decode()
    days = re.findall(r'href="[^"]*\?day=(2026-\d\d-\d\d)"', html)
    assert len(days) == 31 and days[0] == "2026-04-01" and days[-1] == "2026-05-01"

    html = client.get(month_vigil.url, {"day": "2026-04-15"}).content.decode()
    assert "Wednesday 15 April: slots by hour" in html
    assert html.count('name="slots"') == 96
    fifteenth = datetime.datetime(2026, 4, 14, 23, tzinfo=UTC)  # 00:00 BST
    assert f'id="pick-{slot_key(fifteenth)}"' in html

    # In another zone the days are that zone's: 15 April in Tokyo starts at 15:00 UTC.
    html = client.get(month_vigil.url, {"day": "2026-04-15", "tz": "Asia/Tokyo"}).content.decode()
    assert f'id="pick-{slot_key(datetime.datetime(2026, 4, 14, 15, tzinfo=UTC))}"' in html
    assert "tz=Asia/Tokyo&amp;day=2026-04-16" in html


@pytest.mark.parametrize("day", ["", "2026-13-01", "2025-04-01", "x" * 5000, "<b>", "2026-04-1"])
def test_a_bad_day_shows_the_first_day_to_come(client, month_vigil, time_machine, day):
    time_machine.move_to(datetime.datetime(2026, 4, 3, 12, tzinfo=UTC), tick=False)
    response = client.get(month_vigil.url, {"day": day})
    assert response.status_code == 200
    assert "Friday 3 April: slots by hour" in response.content.decode()


@pytest.mark.usefixtures("drawn_pages")
def test_the_page_queries_the_same_for_a_night_and_for_a_month(
    client, site_pages, month_vigil, time_machine
):
    home, _ = site_pages
    time_machine.move_to(NOW, tick=False)
    night = add_vigil(home, title="A night", slug="a-night", capacity=2)
    client.get(night.url)  # warm the caches (menu, settings)

    counts = []
    for vigil in (night, month_vigil):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(vigil.url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_demo_vigil_is_light(site_pages, client):
    home, _ = site_pages
    create_vigil_demo(home)
    response = client.get(VigilPage.objects.get().url)
    weight = page_weight(response.content)
    assert weight["gzip_bytes"] <= MAX_GZIP_BYTES, weight
    assert weight["elements"] <= MAX_ELEMENTS, weight


def test_slots_ticked_on_other_days_are_carried_when_the_form_comes_back(
    client, month_vigil, time_machine
):
    time_machine.move_to(NOW, tick=False)
    other_day = slot_key(datetime.datetime(2026, 4, 2, 9, tzinfo=UTC))
    this_day = slot_key(datetime.datetime(2026, 4, 5, 9, tzinfo=UTC))
    response = client.post(
        month_vigil.url + "signup/",
        guarded(
            {
                "slots": [other_day, this_day, "<script>"],
                "email": "",
                "time_zone": "Europe/London",
                "tz": "Europe/London",
                "day": "2026-04-05",
            }
        ),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Sunday 5 April: slots by hour" in html
    assert f'<input type="hidden" name="slots" value="{other_day}">' in html
    assert f'value="{this_day}" id="pick-{this_day}" checked' in html
    assert "You also ticked 1 slot on other days" in html
    assert 'value="&lt;script&gt;"' not in html
