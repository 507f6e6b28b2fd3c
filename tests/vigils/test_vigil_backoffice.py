"""Organisers in the back office: who prays when, empty slots, sign-ups, messages to all."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory, add_prayer_calendar, add_vigil
from vigils.models import SlotBooking, VigilMessage, VigilSignup, VigilSlot

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
FIRST = datetime.datetime(2026, 3, 1, 20, tzinfo=UTC)


@pytest.fixture
def vigil(site_pages):
    home, _ = site_pages
    vigil = add_vigil(home, time_zone="Europe/London", capacity=2)
    for hours, email, name in [(0, "ruth@example.org", "Ruth"), (2, "amos@example.org", "=cmd()")]:
        signup = VigilSignup.objects.create(
            vigil=vigil, email=email, display_name=name, status="confirmed"
        )
        slot = VigilSlot.objects.get(vigil=vigil, starts_at=FIRST + datetime.timedelta(hours=hours))
        SlotBooking.objects.create(signup=signup, slot=slot)
        VigilSlot.objects.filter(pk=slot.pk).update(taken=1)
    return vigil


@pytest.fixture
def organiser(client):
    user = UserFactory(email="organiser@example.org")
    user.groups.add(Group.objects.get(name="Prayer moderators"))
    client.force_login(user)
    return client


def test_who_prays_when_with_host_times_and_a_safe_export(organiser, vigil):
    url = reverse("prayer_vigil_bookings:index")
    html = organiser.get(url, {"vigil": vigil.pk}).content.decode()
    assert "Sun 1 Mar 20:00–21:00 GMT" in html and "ruth@example.org" in html

    response = organiser.get(url, {"export": "csv"})
    export = b"".join(response.streaming_content).decode()
    assert "ruth@example.org" in export and "'=cmd()" in export


def test_empty_slots_filter(organiser, vigil):
    url = reverse("prayer_vigil_slots:index")
    response = organiser.get(url, {"vigil": vigil.pk, "empty": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sun 1 Mar 21:00–22:00 GMT" in html
    assert "Sun 1 Mar 20:00–" not in html and "Sun 1 Mar 22:00–" not in html


def test_signups_list_counts_slots(organiser, vigil):
    html = organiser.get(reverse("prayer_vigil_signups:index")).content.decode()
    assert "ruth@example.org" in html and "amos@example.org" in html


def test_email_everyone_signed_up(organiser, vigil):
    response = organiser.post(
        reverse("prayer_vigil_messages:add"),
        {"vigil": vigil.pk, "subject": "Thank you", "body": "We prayed all night."},
    )
    assert response.status_code == 302
    message = VigilMessage.objects.get()
    assert message.recipient_count == 2 and message.created_by.email == "organiser@example.org"
    assert sorted(m.to[0] for m in mail.outbox) == ["amos@example.org", "ruth@example.org"]
    edit = organiser.get(reverse("prayer_vigil_messages:edit", args=[message.pk]))
    assert edit.status_code in (302, 403), "a sent message is history"


def test_slots_and_bookings_cannot_be_edited_by_hand(organiser, vigil):
    slot = VigilSlot.objects.filter(vigil=vigil).first()
    assert organiser.get(reverse("prayer_vigil_slots:edit", args=[slot.pk])).status_code in (
        302,
        403,
    )


def test_calendar_subscribers_listed(organiser, site_pages):
    from vigils.models import CalendarSubscription

    home, _ = site_pages
    calendar = add_prayer_calendar(home)
    CalendarSubscription.objects.create(calendar=calendar, email="naomi@example.org")
    html = organiser.get(reverse("prayer_calendar_subscriptions:index")).content.decode()
    assert "naomi@example.org" in html


def test_people_outside_the_organiser_groups_see_nothing(client, vigil):
    client.force_login(UserFactory(email="visitor@example.org"))
    assert client.get(reverse("prayer_vigil_bookings:index")).status_code in (302, 403)
