"""Reminders 24 hours and 15 minutes before each slot: never after it starts, never twice."""

import datetime

import pytest
from django.core import mail

from core.models import Suppression
from tests.factories import add_vigil
from vigils.models import SlotBooking, VigilMessage, VigilSignup, VigilSlot
from vigils.tasks import send_due_reminders, send_vigil_message

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
FIRST = datetime.datetime(2026, 3, 1, 20, tzinfo=UTC)
BOOKED_AT = datetime.datetime(2026, 2, 20, 12, tzinfo=UTC)


@pytest.fixture
def vigil(site_pages):
    home, _ = site_pages
    return add_vigil(home, capacity=None)


def book(vigil, hours_after_first=0, email="ruth@example.org", at=BOOKED_AT, **fields):
    signup, _ = VigilSignup.objects.get_or_create(
        vigil=vigil,
        email=email,
        defaults={"status": VigilSignup.Status.CONFIRMED, "time_zone": "Europe/Berlin", **fields},
    )
    slot = VigilSlot.objects.get(
        vigil=vigil, starts_at=FIRST + datetime.timedelta(hours=hours_after_first)
    )
    return SlotBooking.objects.create(signup=signup, slot=slot, created_at=at)


def run_at(time_machine, moment):
    time_machine.move_to(moment, tick=False)
    mail.outbox.clear()
    send_due_reminders()
    return list(mail.outbox)


def test_day_and_soon_reminders_each_go_once(vigil, time_machine):
    booking = book(vigil)

    assert run_at(time_machine, FIRST - datetime.timedelta(hours=25)) == []
    sent = run_at(time_machine, FIRST - datetime.timedelta(hours=24))
    assert [m.subject for m in sent] == ["Tomorrow: your prayer slot in Night of prayer"]
    assert "Sunday 1 March, 21:00–22:00 CET" in sent[0].body
    assert "/pray/vigils/my-slots/" in sent[0].body
    assert run_at(time_machine, FIRST - datetime.timedelta(hours=23)) == [], "never twice"

    assert run_at(time_machine, FIRST - datetime.timedelta(minutes=16)) == []
    sent = run_at(time_machine, FIRST - datetime.timedelta(minutes=14))
    assert [m.subject for m in sent] == ["In 15 minutes: your prayer slot in Night of prayer"]
    assert run_at(time_machine, FIRST - datetime.timedelta(minutes=9)) == []
    booking.refresh_from_db()
    assert booking.day_reminder_sent_at == FIRST - datetime.timedelta(hours=24)
    assert booking.soon_reminder_sent_at == FIRST - datetime.timedelta(minutes=14)


def test_nothing_after_the_slot_started(vigil, time_machine):
    book(vigil)
    assert run_at(time_machine, FIRST) == []
    assert run_at(time_machine, FIRST + datetime.timedelta(minutes=2)) == []


def test_a_run_that_missed_the_day_mark_does_not_send_a_day_reminder_late(vigil, time_machine):
    book(vigil)
    sent = run_at(time_machine, FIRST - datetime.timedelta(minutes=10))
    assert [m.subject.split(":")[0] for m in sent] == ["In 15 minutes"]


def test_a_slot_taken_within_the_last_day_gets_only_the_soon_reminder(vigil, time_machine):
    book(vigil, at=FIRST - datetime.timedelta(hours=3))
    assert run_at(time_machine, FIRST - datetime.timedelta(hours=2)) == []
    assert len(run_at(time_machine, FIRST - datetime.timedelta(minutes=15))) == 1


def test_consecutive_slots_share_one_reminder_and_suppressed_or_pending_get_none(
    vigil, time_machine
):
    book(vigil, 0)
    book(vigil, 1)
    book(vigil, 0, email="bounced@example.org")
    book(vigil, 0, email="pending@example.org", status=VigilSignup.Status.PENDING)
    Suppression.objects.create(email="bounced@example.org", reason="hard_bounce", active=True)

    sent = run_at(time_machine, FIRST + datetime.timedelta(hours=1) - datetime.timedelta(hours=24))
    assert [m.to for m in sent] == [["ruth@example.org"]]
    assert "Your prayer slots in the next day" in sent[0].alternatives[0][0]


def test_a_second_worker_running_the_same_task_sends_nothing(vigil, time_machine):
    book(vigil)
    time_machine.move_to(FIRST - datetime.timedelta(hours=24), tick=False)
    assert send_due_reminders() == 1
    assert send_due_reminders() == 0
    assert len(mail.outbox) == 1


def test_organiser_message_goes_once_in_a_batch_with_merge_data(vigil, time_machine, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    time_machine.move_to(BOOKED_AT, tick=False)
    book(vigil, 0, email="ruth@example.org")
    book(vigil, 1, email="amos@example.org")
    book(vigil, 2, email="quiet@example.org", wants_organiser_email=False)
    book(vigil, 3, email="bounced@example.org")
    VigilSignup.objects.create(vigil=vigil, email="pending@example.org")
    Suppression.objects.create(email="bounced@example.org", reason="hard_bounce", active=True)
    message = VigilMessage.objects.create(vigil=vigil, subject="Change of plan", body="Hello all")

    assert send_vigil_message(message.pk) == 2
    assert send_vigil_message(message.pk) == 0, "a rerun sends nothing"

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject == "Change of plan"
    assert sorted(sent.to) == ["amos@example.org", "ruth@example.org"]
    assert set(sent.merge_data) == set(sent.to), "each recipient sees only their own address"
    headers = sent.merge_headers["ruth@example.org"]
    assert "/pray/vigils/unsubscribe/" in headers["List-Unsubscribe"]
    # The one-click header is the same for everyone: once on the message, not per recipient.
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    message.refresh_from_db()
    assert message.recipient_count == 2 and message.finished_at


def test_organiser_message_goes_one_per_person_on_a_plain_backend(vigil, time_machine):
    time_machine.move_to(BOOKED_AT, tick=False)
    book(vigil, 0, email="ruth@example.org")
    book(vigil, 1, email="amos@example.org")
    message = VigilMessage.objects.create(vigil=vigil, subject="Change of plan", body="Hello all")

    send_vigil_message(message.pk)

    assert sorted(m.to[0] for m in mail.outbox) == ["amos@example.org", "ruth@example.org"]
    assert all(len(m.to) == 1 and "List-Unsubscribe" in m.extra_headers for m in mail.outbox)


def test_one_click_unsubscribe_from_organiser_messages(client, vigil):
    from django.test import Client

    from vigils.emails import unsubscribe_url

    booking = book(vigil)
    signup = booking.signup
    url = unsubscribe_url(signup.pk, signup.link_version).removeprefix("http://testserver")
    mail_client = Client(enforce_csrf_checks=True)

    assert "Unsubscribe" in mail_client.get(url).content.decode()
    signup.refresh_from_db()
    assert signup.wants_organiser_email, "a GET changes nothing"
    assert (
        mail_client.post(url, "List-Unsubscribe=One-Click", content_type="text/plain").status_code
        == 200
    )
    signup.refresh_from_db()
    assert not signup.wants_organiser_email
    assert SlotBooking.objects.filter(signup=signup).exists(), "slots stay"


def test_unconfirmed_signups_are_purged_after_the_retention_period(vigil, time_machine):
    from core.confirmation import purge_unconfirmed

    time_machine.move_to(BOOKED_AT, tick=False)
    VigilSignup.objects.create(vigil=vigil, email="pending@example.org")
    book(vigil, 0)
    time_machine.move_to(BOOKED_AT + datetime.timedelta(days=6), tick=False)
    assert purge_unconfirmed() == 0, "kept for RETENTION_UNCONFIRMED_DAYS (7)"
    time_machine.move_to(BOOKED_AT + datetime.timedelta(days=8), tick=False)
    assert purge_unconfirmed() == 1
    assert purge_unconfirmed() == 0, "running twice deletes nothing more"
    assert list(VigilSignup.objects.values_list("email", flat=True)) == ["ruth@example.org"]


def test_the_unconfirmed_purge_follows_the_setting(vigil, time_machine, settings):
    from core.confirmation import purge_unconfirmed

    settings.RETENTION_UNCONFIRMED_DAYS = 2
    time_machine.move_to(BOOKED_AT, tick=False)
    VigilSignup.objects.create(vigil=vigil, email="pending@example.org")
    time_machine.move_to(BOOKED_AT + datetime.timedelta(days=3), tick=False)
    assert purge_unconfirmed() == 1
