"""Calendars on phones: every feed a person can follow (their volunteer shifts, a prayer
calendar, their vigil slots) is offered as a webcal:// subscription built from SITE_URL, beside
the .ics download, with the address in a read-only field and a copy button."""

import datetime
import re

import icalendar
import pytest

from core.calendar_links import feed_address, webcal
from tests.factories import add_prayer_calendar, add_vigil
from vigils.emails import manage_path, slots_feed_url
from vigils.models import SlotBooking, VigilSignup, VigilSlot
from volunteers import signups
from volunteers.links import feed_path
from volunteers.links import manage_path as volunteer_manage_path

pytestmark = pytest.mark.django_db

SITE = "https://vigil.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    # Not the request's host: the links must come from SITE_URL.
    settings.SITE_URL = SITE


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://vigil.example.org/a.ics", "webcal://vigil.example.org/a.ics"),
        ("http://localhost:8101/a.ics?x=1", "webcal://localhost:8101/a.ics?x=1"),
        ("webcal://already/a.ics", "webcal://already/a.ics"),
    ],
)
def test_webcal_replaces_only_the_scheme(url, expected):
    assert webcal(url) == expected


def test_a_path_is_made_absolute_from_site_url():
    assert feed_address("/pray/calendar/ics/") == f"{SITE}/pray/calendar/ics/"
    assert feed_address("https://elsewhere.org/x.ics") == "https://elsewhere.org/x.ics"


def assert_follow_block(html, feed_url, field_id):
    """The subscribe link, the download beside it, the copy field and its button."""
    subscribe = webcal(feed_url)
    assert subscribe.startswith("webcal://vigil.example.org/")
    assert re.search(rf'<a class="button" href="{re.escape(subscribe)}">Subscribe', html)
    assert re.search(
        rf'<a class="button button--quiet" href="{re.escape(feed_url)}" download>', html
    )
    assert f'<label for="{field_id}">' in html
    field = f'<input id="{field_id}" class="copy-field__input" type="text" readonly'
    assert f'{field} value="{subscribe}">' in html
    button = re.search(rf'<button type="button"[^>]*data-copy-field="{field_id}"[^>]*>', html)
    assert button, "a copy button for the field"
    assert " hidden" in button.group(0), "hidden until the script shows it"
    assert f'aria-describedby="{field_id}-copied"' in button.group(0)
    assert f'<span class="copy-field__status" id="{field_id}-copied" aria-live="polite">' in html
    assert '<script src="/static/js/copy-field.js' in html
    assert "<script>" not in html, "no inline script: the CSP forbids it"


def test_the_volunteer_feed_is_offered_to_subscribe(client, time_machine):
    time_machine.move_to(
        datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC), tick=False
    )  # one token
    volunteer = signups.volunteer_for_form("priya@example.org")
    html = client.get(volunteer_manage_path(volunteer)).content.decode()
    assert_follow_block(html, f"{SITE}{feed_path(volunteer)}", "feed-url")


def test_a_prayer_calendar_is_offered_to_subscribe(client, site_pages):
    home, _ = site_pages
    calendar = add_prayer_calendar(home, days=3, start_date=datetime.date(2026, 3, 1))
    html = client.get(calendar.url).content.decode()
    assert_follow_block(html, f"{SITE}{calendar.url}ics/", "calendar-feed-url")
    assert client.get(f"{calendar.url}ics/")["Content-Type"].startswith("text/calendar")


@pytest.fixture
def held(site_pages, time_machine):
    time_machine.move_to(datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC), tick=False)
    home, _ = site_pages
    vigil = add_vigil(home, capacity=2)
    signup = VigilSignup.objects.create(
        vigil=vigil,
        email="ruth@example.org",
        display_name="Ruth",
        status=VigilSignup.Status.CONFIRMED,
        time_zone="Asia/Tokyo",
    )
    slots = list(VigilSlot.objects.filter(vigil=vigil).order_by("starts_at")[:2])
    for slot in slots:
        SlotBooking.objects.create(signup=signup, slot=slot)
    return signup, slots


def test_ones_vigil_slots_are_offered_to_subscribe(client, held):
    signup, _slots = held
    html = client.get(manage_path(signup.pk, signup.link_version)).content.decode()
    assert_follow_block(html, slots_feed_url(signup.pk, signup.link_version), "vigil-feed-url")


def test_the_vigil_feed_holds_the_slots_held_now(client, held):
    signup, slots = held
    feed = slots_feed_url(signup.pk, signup.link_version).removeprefix(SITE)
    response = client.get(feed)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["X-Robots-Tag"] == "noindex"
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert [event.decoded("dtstart") for event in events] == [slot.starts_at for slot in slots]

    SlotBooking.objects.filter(slot=slots[0]).delete()
    events = icalendar.Calendar.from_ical(client.get(feed).content).walk("VEVENT")
    assert [event.decoded("dtstart") for event in events] == [slots[1].starts_at]


def test_the_vigil_feed_link_is_not_the_manage_link_and_dies_with_it(client, held):
    signup, _slots = held
    manage_token = manage_path(signup.pk, signup.link_version).rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/pray/vigils/my-slots/{manage_token}/calendar.ics").status_code == 400
    feed = slots_feed_url(signup.pk, signup.link_version).removeprefix(SITE)
    VigilSignup.objects.filter(pk=signup.pk).update(link_version=signup.link_version + 1)
    assert client.get(feed).status_code == 404
    assert client.get("/pray/vigils/my-slots/garbage/calendar.ics").status_code == 400
