"""Calendar files: per shift (public), per sign-up, and the private revocable feed."""

import icalendar
import pytest
from django.core import mail

from tests.factories import UserFactory, add_opportunity, add_shift
from volunteers import calendars, signups
from volunteers.links import feed_path, manage_path
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def shift(site_pages):
    home, _news = site_pages
    return add_shift(add_opportunity(home), capacity=1, time_zone="Europe/London")


def test_public_shift_calendar(client, shift):
    response = client.get(f"/volunteer/shifts/{shift.pk}/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == shift.starts_at.replace(microsecond=0)
    assert str(event["location"]) == "Kalighat, Kolkata"
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/London"


def test_calendar_of_a_cancelled_or_unknown_shift_is_404(client, shift):
    assert client.get("/volunteer/shifts/999999/calendar.ics").status_code == 404
    shift.status = "cancelled"
    shift.save()
    assert client.get(f"/volunteer/shifts/{shift.pk}/calendar.ics").status_code == 404


def test_private_feed_lists_my_shifts_and_can_be_replaced(client, shift):
    user = UserFactory()
    signup = signups.sign_up_with_account(user, shift, age_confirmed=True)
    volunteer = Volunteer.objects.get()
    old_feed = feed_path(volunteer)
    calendar = icalendar.Calendar.from_ical(client.get(old_feed).content)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Volunteering: Teacher"]
    assert "/volunteer/feed/" in mail.outbox[-1].body

    manage = manage_path(volunteer)
    response = client.post(manage, {"action": "new-feed"})
    assert response.status_code == 302
    assert client.get(old_feed).status_code == 404
    volunteer.refresh_from_db()
    assert client.get(feed_path(volunteer)).status_code == 200
    ics = client.get(f"{manage}shifts/{signup.pk}.ics")
    assert b"CANARY-ADDRESS" in ics.content, "the volunteer's own copy carries the address"
    assert client.get(f"{manage[:-5]}xxxx/shifts/{signup.pk}.ics").status_code == 404


def test_forged_feed_token_is_404(client, shift):
    assert client.get("/volunteer/feed/not-a-token/calendar.ics").status_code == 404


def test_each_zone_is_described_once_per_process_and_as_icalendar_would(site_pages, shift):
    """The VTIMEZONE is built once per zone (it takes ~50 ms, inside the shift's lock when a
    sign-up's email carries the calendar), and the file is byte for byte what icalendar's own
    add_missing_timezones() makes."""
    from volunteers.calendars import public_shift_calendar, shift_event, vtimezone

    home, _news = site_pages
    kolkata = add_shift(add_opportunity(home, title="Second"), time_zone="Asia/Kolkata")
    vtimezone.cache_clear()
    public_shift_calendar(shift)
    public_shift_calendar(kolkata)
    public_shift_calendar(shift)
    info = vtimezone.cache_info()
    assert (info.misses, info.hits) == (2, 1)

    both = calendars.to_ics([shift_event(shift), shift_event(kolkata)])
    reference = icalendar.Calendar()
    for name, value in (("prodid", calendars.PRODID), ("version", "2.0"), ("method", "PUBLISH")):
        reference.add(name, value)
    for event in icalendar.Calendar.from_ical(both).walk("VEVENT"):
        reference.add_component(event)
    reference.add_missing_timezones()
    assert [zone["tzid"] for zone in icalendar.Calendar.from_ical(both).walk("VTIMEZONE")] == [
        "Asia/Kolkata",
        "Europe/London",
    ]
    assert sorted(reference.walk("VTIMEZONE"), key=lambda zone: zone["tzid"]) == (
        icalendar.Calendar.from_ical(both).walk("VTIMEZONE")
    )
