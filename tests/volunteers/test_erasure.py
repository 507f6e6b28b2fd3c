"""Anonymising a volunteer: the person goes, sign-up counts and hours stay."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import UserFactory, add_check, add_opportunity, add_shift, add_volunteer
from volunteers import signups
from volunteers.erasure import anonymise_volunteer
from volunteers.links import feed_path, manage_path
from volunteers.models import SafeguardingCheck, ShiftMessage, SignUp, Volunteer
from volunteers.tasks import send_shift_message, send_signup_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def opportunity(site_pages):
    home, _news = site_pages
    return add_opportunity(home)


def worked_shift(opportunity, volunteer, hours=None, days_ago=10):
    """A past shift the volunteer attended (3 hours long unless `hours` says otherwise)."""
    shift = add_shift(opportunity, starts_at=timezone.now() - datetime.timedelta(days=days_ago))
    return SignUp.objects.create(
        shift=shift,
        volunteer=volunteer,
        status=SignUp.Status.CONFIRMED,
        attendance=SignUp.Attendance.ATTENDED,
        hours=hours,
    )


def signed_up(user, shift):
    return signups.sign_up_with_account(user, shift)


def test_the_person_is_removed(opportunity):
    user = UserFactory(email="asha@example.org")
    volunteer = add_volunteer(
        email="asha@example.org", name="Asha Rao", notes="Prefers mornings", user=user
    )
    add_check(volunteer, reference="PC-778899")

    assert anonymise_volunteer(volunteer) is True

    volunteer.refresh_from_db()
    assert volunteer.name == "Former volunteer"
    assert volunteer.email == f"anonymised-{volunteer.pk}@invalid.example"
    assert (volunteer.phone, volunteer.notes, volunteer.user) == ("", "", None)
    assert volunteer.anonymised_at is not None
    assert not SafeguardingCheck.objects.exists()
    assert Volunteer.objects.for_email("asha@example.org") is None
    assert signups.volunteer_of_user(user) is None


def test_counts_and_hours_survive(opportunity):
    volunteer = add_volunteer()
    worked_shift(opportunity, volunteer)
    worked_shift(opportunity, volunteer, hours=Decimal("1.50"), days_ago=20)
    assert volunteer.hours_served == 4.5

    anonymise_volunteer(volunteer)

    volunteer.refresh_from_db()
    assert volunteer.signups.count() == 2
    assert volunteer.hours_served == 4.5


def test_emailed_links_and_the_feed_are_revoked(client, opportunity):
    volunteer = add_volunteer()
    manage, feed = manage_path(volunteer), feed_path(volunteer)
    assert client.get(manage).status_code == 200
    assert client.get(feed).status_code == 200

    anonymise_volunteer(volunteer)

    assert client.get(manage).status_code in (400, 404)
    assert client.get(feed).status_code in (400, 404)


def test_future_signups_are_cancelled_and_the_waitlist_promoted(opportunity):
    shift = add_shift(opportunity, capacity=1)
    leaving = add_volunteer(email="leaving@example.org", user=UserFactory(email="l@example.org"))
    waiting = add_volunteer(email="waiting@example.org", user=UserFactory(email="w@example.org"))
    first = signed_up(leaving.user, shift)
    second = signed_up(waiting.user, shift)
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    past = worked_shift(opportunity, leaving)
    mail.outbox.clear()

    anonymise_volunteer(leaving)

    first.refresh_from_db()
    second.refresh_from_db()
    past.refresh_from_db()
    assert first.status == SignUp.Status.CANCELLED
    assert second.status == SignUp.Status.CONFIRMED
    assert past.status == SignUp.Status.CONFIRMED, "past shifts are history, not cancelled"
    shift.refresh_from_db()
    assert shift.confirmed_count == 1
    assert [message.to for message in mail.outbox] == [["waiting@example.org"]]


def test_twice_changes_nothing_more(opportunity):
    volunteer = add_volunteer()
    anonymise_volunteer(volunteer)
    volunteer.refresh_from_db()
    first = (volunteer.anonymised_at, volunteer.link_version, volunteer.feed_version)

    assert anonymise_volunteer(volunteer) is False

    volunteer.refresh_from_db()
    assert (volunteer.anonymised_at, volunteer.link_version, volunteer.feed_version) == first


def test_never_emailed_again(opportunity):
    volunteer = add_volunteer()
    other = add_volunteer(email="other@example.org")
    signup = worked_shift(opportunity, volunteer)
    SignUp.objects.create(shift=signup.shift, volunteer=other, status=SignUp.Status.CONFIRMED)
    anonymise_volunteer(volunteer)
    mail.outbox.clear()

    assert send_signup_email(signup.pk, "confirmed") is None
    message = ShiftMessage.objects.create(shift=signup.shift, subject="Thanks", body="Thank you!")
    send_shift_message(message.pk)

    assert [message.to for message in mail.outbox] == [["other@example.org"]]


def test_left_out_of_the_people_list_and_export(admin_client, opportunity):
    gone = add_volunteer(email="gone@example.org", name="Gone Person")
    add_volunteer(email="stays@example.org", name="Stays Person")
    anonymise_volunteer(gone)

    listing = admin_client.get("/admin/volunteers/people/")
    export = admin_client.get("/admin/volunteers/people/?export=csv")

    for response in (listing, export):
        assert response.status_code == 200
        body = b"".join(response) if response.streaming else response.content
        assert b"Stays Person" in body
        assert b"Former volunteer" not in body
        assert b"invalid.example" not in body


def test_a_new_sign_up_with_the_old_address_starts_a_new_profile(opportunity):
    volunteer = add_volunteer(email="back@example.org")
    anonymise_volunteer(volunteer)

    again = signups.volunteer_for_form("back@example.org")

    assert again.pk != volunteer.pk
    assert again.anonymised_at is None
