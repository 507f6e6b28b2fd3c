"""The whole path: sign up without an account, confirm by email, reminders, cancel, promotion."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail

from tests.factories import UserFactory, add_opportunity, add_shift, add_volunteer
from tests.volunteers.helpers import emails_to, form_data, link_in, path_of, sign_up_by_form
from volunteers import signups
from volunteers.models import Shift, SignUp, Volunteer
from volunteers.tasks import send_due_reminders

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
START = datetime.datetime(2026, 12, 10, 10, 0, tzinfo=KOLKATA)


@pytest.fixture
def shift(site_pages):
    home, _news = site_pages
    opportunity = add_opportunity(home)
    return add_shift(opportunity, starts_at=START, capacity=1)


@time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=KOLKATA), tick=False)
def test_sign_up_confirm_remind_cancel_promote(client, shift):
    response = client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", form_data())
    assert response.status_code == 302
    assert response["Location"] == "/volunteer/sign-up/check-your-email/"
    signup = SignUp.objects.get()
    assert signup.status == SignUp.Status.PENDING_EMAIL
    volunteer = signup.volunteer
    assert (volunteer.name, volunteer.email, volunteer.phone) == ("", "priya@example.org", "")
    assert (signup.pending_name, signup.pending_phone) == ("Priya D'Souza", "+919876543210"), (
        "what the form typed waits on the sign-up until the emailed link is followed"
    )
    shift.refresh_from_db()
    assert shift.confirmed_count == 0, "a pending sign-up holds no spot"

    (message,) = mail.outbox
    assert message.subject.startswith("Confirm your volunteer sign-up")
    confirm = path_of(link_in(message, "/volunteer/confirm/"))
    assert client.get(confirm).status_code == 200
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.PENDING_EMAIL, "a GET (link scanner) changes nothing"

    response = client.post(confirm)
    assert response.status_code == 302
    signup.refresh_from_db()
    shift.refresh_from_db()
    assert signup.status == SignUp.Status.CONFIRMED
    assert shift.confirmed_count == 1
    volunteer.refresh_from_db()
    assert (volunteer.name, volunteer.phone) == ("Priya D'Souza", "+919876543210")
    confirmed = mail.outbox[-1]
    assert confirmed.subject.startswith("You are signed up")
    assert "CANARY-ADDRESS" in confirmed.body, "confirmed and no check required: address sent"
    (ics_name, ics, mimetype) = confirmed.attachments[0]
    assert mimetype == "text/calendar" and "BEGIN:VEVENT" in ics
    assert "DTSTART;TZID=Asia/Kolkata:20261210T100000" in ics
    assert len(confirmed.alternatives) == 1  # HTML too

    page = client.get(response["Location"])
    assert "You are signed up" in page.content.decode()

    # A second person finds the shift full and is waitlisted with a position.
    sign_up_by_form(client, shift, name="राधा", email="radha@example.org")
    waiting = SignUp.objects.get(volunteer__email="radha@example.org")
    assert waiting.status == SignUp.Status.WAITLISTED
    assert waiting.waitlist_position() == 1
    assert "number 1 on the waitlist" in emails_to("radha@example.org")[-1].body

    # Reminders: the day before (09:00 local), then the morning of, each once.
    mail.outbox.clear()
    with time_machine.travel(datetime.datetime(2026, 12, 9, 9, 5, tzinfo=KOLKATA), tick=False):
        assert send_due_reminders() == 1
        assert send_due_reminders() == 0
    with time_machine.travel(datetime.datetime(2026, 12, 10, 6, 15, tzinfo=KOLKATA), tick=False):
        assert send_due_reminders() == 1
        assert send_due_reminders() == 0
    assert [m.subject.rsplit(" at ", 1)[0] for m in mail.outbox] == [
        "Reminder: Teach at the drop-in centre tomorrow",
        "Reminder: Teach at the drop-in centre today",
    ]
    assert all(m.to == ["priya@example.org"] for m in mail.outbox)

    # Priya cancels from her page: Radha is promoted and told.
    mail.outbox.clear()
    with time_machine.travel(datetime.datetime(2026, 12, 10, 8, 0, tzinfo=KOLKATA), tick=False):
        manage = path_of(link_in(confirmed, "/volunteer/my/"))
        response = client.post(manage, {"action": "cancel", "signup": signup.pk})
        assert response.status_code == 302
    signup.refresh_from_db()
    waiting.refresh_from_db()
    shift.refresh_from_db()
    assert signup.status == SignUp.Status.CANCELLED
    assert waiting.status == SignUp.Status.CONFIRMED
    assert shift.confirmed_count == 1
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["priya@example.org"].startswith("Cancelled:")
    assert subjects["radha@example.org"].startswith("A spot opened")


def test_promotion_stops_once_the_shift_has_started(shift):
    first, second = add_volunteer(name="One"), add_volunteer(name="Two")
    with time_machine.travel(START - datetime.timedelta(days=2), tick=False):
        a = signups.sign_up_with_account(user_for(first), shift)
        b = signups.sign_up_with_account(user_for(second), shift)
    assert (a.status, b.status) == ("confirmed", "waitlisted")
    with time_machine.travel(START + datetime.timedelta(minutes=5), tick=False):
        with pytest.raises(signups.SignUpRefused):
            signups.cancel(a.pk)
        signups.cancel(a.pk, by=SignUp.CancelledBy.COORDINATOR)
    b.refresh_from_db()
    assert b.status == SignUp.Status.WAITLISTED


def user_for(volunteer):
    user = UserFactory(email=volunteer.email)
    Volunteer.objects.filter(pk=volunteer.pk).update(user=user)
    return user


@time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=KOLKATA), tick=False)
def test_one_click_with_an_account(client, shift):
    user = UserFactory()
    client.force_login(user)
    page = client.get(f"/volunteer/shifts/{shift.pk}/sign-up/")
    assert b"Sign me up" in page.content
    assert b"I am at least 18 years old" in page.content, "asked once"
    response = client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", {"age_confirmed": "on"})
    assert response.status_code == 302
    signup = SignUp.objects.get()
    assert signup.status == SignUp.Status.CONFIRMED
    assert signup.volunteer.user == user and signup.volunteer.email == user.email
    assert signup.volunteer.confirmed_age == 18
    again = client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", {})
    assert again.status_code == 400
    assert "already signed up" in again.content.decode()
    assert SignUp.objects.count() == 1


@time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=KOLKATA), tick=False)
def test_unverified_account_uses_the_form(client, shift):
    client.force_login(UserFactory(verified=False))
    page = client.get(f"/volunteer/shifts/{shift.pk}/sign-up/")
    assert b"Phone number" in page.content


@time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=KOLKATA), tick=False)
def test_overlapping_shifts_are_refused(client, shift):
    other = add_shift(shift.opportunity, starts_at=START + datetime.timedelta(hours=1), capacity=3)
    client.force_login(UserFactory())
    client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", {"age_confirmed": "on"})
    response = client.post(f"/volunteer/shifts/{other.pk}/sign-up/", {"age_confirmed": "on"})
    assert response.status_code == 400
    assert "overlaps another you are signed up for" in response.content.decode()
    assert not SignUp.objects.filter(shift=other).exists()


@time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=KOLKATA), tick=False)
def test_overlap_is_checked_when_the_email_link_is_followed(client, shift):
    other = add_shift(shift.opportunity, starts_at=START + datetime.timedelta(hours=2), capacity=3)
    sign_up_by_form(client, shift)
    response = sign_up_by_form(client, other)
    assert response.status_code == 409
    assert "overlaps another" in response.content.decode()


def test_deadline_closes_sign_up(client, shift):
    Shift.objects.filter(pk=shift.pk).update(signup_deadline=START - datetime.timedelta(days=2))
    with time_machine.travel(START - datetime.timedelta(days=1), tick=False):
        page = client.get(f"/volunteer/shifts/{shift.pk}/sign-up/")
        assert b"Sign-up for this shift has closed" in page.content
        response = client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", form_data())
        assert response.status_code == 400
        assert "closed" in response.content.decode()
    assert not SignUp.objects.exists()


@time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=KOLKATA), tick=False)
def test_signing_up_twice_by_form_resends_and_stores_once(client, shift):
    client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", form_data())
    client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", form_data(name="Someone Else"))
    assert SignUp.objects.count() == 1
    assert Volunteer.objects.get().name == "", "an unproven address changes no profile"
    assert SignUp.objects.get().pending_name == "Someone Else", "shown before it is confirmed"
    assert len(mail.outbox) == 2 and all("/volunteer/confirm/" in m.body for m in mail.outbox)


@time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=KOLKATA), tick=False)
def test_the_email_link_is_signed_and_revocable(client, shift):
    client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", form_data())
    confirm = path_of(link_in(mail.outbox[0], "/volunteer/confirm/"))
    assert client.post(confirm[:-3] + "xx/").status_code == 400
    Volunteer.objects.update(link_version=1)
    assert client.post(confirm).status_code == 400
    assert SignUp.objects.get().status == SignUp.Status.PENDING_EMAIL


def test_unconfirmed_signups_are_forgotten_after_a_week(client, shift):
    from core.confirmation import purge_unconfirmed

    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=KOLKATA), tick=False):
        client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", form_data())
    keeper = add_volunteer(name="Has an account", user=UserFactory())
    with time_machine.travel(datetime.datetime(2026, 11, 27, 9, 0, tzinfo=KOLKATA), tick=False):
        assert purge_unconfirmed() == 0, "the link still works for seven days"
    with time_machine.travel(datetime.datetime(2026, 11, 29, 9, 0, tzinfo=KOLKATA), tick=False):
        assert purge_unconfirmed() == 1
    assert not SignUp.objects.exists()
    assert list(Volunteer.objects.all()) == [keeper]


def test_the_unconfirmed_purge_follows_the_setting(client, shift, settings):
    from core.confirmation import purge_unconfirmed

    settings.RETENTION_UNCONFIRMED_DAYS = 2
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=KOLKATA), tick=False):
        client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", form_data())
    with time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=KOLKATA), tick=False):
        assert purge_unconfirmed() == 1
