"""The vigil and calendar demo: tied to the demo campaign, and a second run creates nothing."""

import pytest

from tests.factories import add_campaign
from vigils.demo import create_vigil_demo
from vigils.models import PrayerCalendarPage, SlotBooking, VigilPage, VigilSlot

pytestmark = pytest.mark.django_db


def test_demo_vigil_and_calendar_are_created_once_for_the_campaign(site_pages, client):
    home, _ = site_pages
    campaign = add_campaign(home, title="Freedom Sunday 2027", slug="freedom-sunday-2027")

    first = create_vigil_demo(home)
    counts = (VigilSlot.objects.count(), SlotBooking.objects.count())
    second = create_vigil_demo(home)

    assert first == {"vigil pages": 1, "calendar pages": 1, "vigil sign-ups": 4}
    assert second == {"vigil pages": 0, "calendar pages": 0, "vigil sign-ups": 0}
    assert (VigilSlot.objects.count(), SlotBooking.objects.count()) == counts
    vigil = VigilPage.objects.get()
    calendar = PrayerCalendarPage.objects.get()
    assert vigil.campaign == campaign and calendar.campaign == campaign
    assert VigilSlot.objects.filter(vigil=vigil).count() == 7 * 24
    assert calendar.days.count() == 21
    assert SlotBooking.objects.count() == 13
    assert client.get(vigil.url).status_code == 200
    assert client.get(calendar.url).status_code == 200
