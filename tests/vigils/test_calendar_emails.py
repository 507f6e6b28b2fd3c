"""Daily calendar emails: double opt-in, each day once per subscriber at their local hour."""

import datetime
import re
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.test import Client

from core import outbox
from core.models import Suppression
from tests.factories import UserFactory, add_prayer_calendar, guarded
from vigils.calendar_emails import unsubscribe_url
from vigils.calendars import send_due_entries
from vigils.models import CalendarDelivery, CalendarSubscription

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
LINK = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture
def calendar(site_pages):
    home, _ = site_pages
    return add_prayer_calendar(home, days=3, start_date=datetime.date(2026, 3, 1))


def subscribe(calendar, email, hour=7, zone="UTC"):
    return CalendarSubscription.objects.create(
        calendar=calendar,
        email=email,
        hour=hour,
        time_zone=zone,
        status=CalendarSubscription.Status.ACTIVE,
    )


def run_at(time_machine, moment):
    """What the schedules do at `moment`: the calendar run, then the outbox's resume."""
    time_machine.move_to(moment, tick=False)
    mail.outbox.clear()
    send_due_entries()
    outbox.resume_open_sends()
    return list(mail.outbox)


def test_sign_up_confirm_by_link_then_receive(client, calendar, time_machine):
    time_machine.move_to(datetime.datetime(2026, 2, 27, tzinfo=UTC), tick=False)
    data = guarded(email="Ruth@Example.org", hour="6", time_zone="Asia/Tokyo")
    response = client.post(calendar.url + "subscribe/", data)

    assert response.status_code == 302 and response.url == "/pray/calendars/check-your-email/"
    subscription = CalendarSubscription.objects.get()
    assert subscription.email == "ruth@example.org"
    assert subscription.status == CalendarSubscription.Status.PENDING
    confirm = next(link for link in LINK.findall(mail.outbox[0].body) if "/confirm/" in link)
    assert "hour=6" in confirm and "tz=Asia%2FTokyo" in confirm
    assert client.get(confirm).status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == CalendarSubscription.Status.PENDING, "GET changes nothing"
    assert "every day at 06:00 (Asia/Tokyo)" in client.post(confirm).content.decode()
    subscription.refresh_from_db()
    assert subscription.status == CalendarSubscription.Status.ACTIVE
    assert (subscription.hour, subscription.time_zone) == (6, "Asia/Tokyo")

    # 06:00 on 1 March in Tokyo is 21:00 UTC on 28 February.
    assert run_at(time_machine, datetime.datetime(2026, 2, 28, 20, 59, tzinfo=UTC)) == []
    sent = run_at(time_machine, datetime.datetime(2026, 2, 28, 21, 0, tzinfo=UTC))
    assert [m.subject for m in sent] == ["Day 1: Focus 1 · 21 days of prayer"]


def test_a_verified_account_needs_no_confirmation_link(client, calendar):
    client.force_login(UserFactory(email="amos@example.org"))
    response = client.post(
        calendar.url + "subscribe/", guarded(email="amos@example.org", hour="7", time_zone="UTC")
    )
    assert response.status_code == 200
    assert CalendarSubscription.objects.get().status == CalendarSubscription.Status.ACTIVE
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": ""}, "Enter your email address."),
        ({"email": "x" * 10_000}, "Enter a valid email address"),
        ({"email": "<script>@example.org"}, "Enter a valid email address"),
        ({"hour": "24"}, "Choose an hour from the list."),
        ({"hour": "<b>"}, "Choose an hour from the list."),
        ({"time_zone": "Mars/Olympus"}, "Choose a time zone from the list."),
    ],
)
def test_bad_input_is_answered_clearly(client, calendar, fields, message):
    data = {"email": "ruth@example.org", "hour": "7", "time_zone": "UTC", **fields}
    response = client.post(calendar.url + "subscribe/", guarded(data))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert CalendarSubscription.objects.count() == 0 and mail.outbox == []


def test_each_subscriber_gets_each_day_once_at_their_local_hour(calendar, time_machine):
    subscribe(calendar, "london@example.org", hour=7, zone="Europe/London")
    subscribe(calendar, "la@example.org", hour=7, zone="America/Los_Angeles")

    sent = run_at(time_machine, datetime.datetime(2026, 3, 1, 7, 0, tzinfo=UTC))
    assert [m.to for m in sent] == [["london@example.org"]]
    assert run_at(time_machine, datetime.datetime(2026, 3, 1, 7, 15, tzinfo=UTC)) == []
    sent = run_at(time_machine, datetime.datetime(2026, 3, 1, 15, 0, tzinfo=UTC))
    assert [m.to for m in sent] == [["la@example.org"]]
    assert "Focus 1" in sent[0].subject
    sent = run_at(time_machine, datetime.datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    assert [(m.to, m.subject.split(":")[0]) for m in sent] == [(["london@example.org"], "Day 2")]

    assert CalendarDelivery.objects.filter(status="sent").count() == 3
    assert run_at(time_machine, datetime.datetime(2026, 3, 2, 7, 0, tzinfo=UTC)) == []


def test_no_email_before_the_first_day_or_after_the_last(calendar, time_machine):
    subscribe(calendar, "ruth@example.org", hour=0)
    assert run_at(time_machine, datetime.datetime(2026, 2, 28, 23, tzinfo=UTC)) == []
    assert run_at(time_machine, datetime.datetime(2026, 3, 4, 1, tzinfo=UTC)) == []


def test_an_outage_sends_only_today_not_a_pile_of_old_days(calendar, time_machine):
    subscribe(calendar, "ruth@example.org", hour=7)
    sent = run_at(time_machine, datetime.datetime(2026, 3, 3, 9, tzinfo=UTC))
    assert [m.subject.split(":")[0] for m in sent] == ["Day 3"]


def test_suppressed_pending_and_unsubscribed_get_nothing(calendar, time_machine):
    subscribe(calendar, "ruth@example.org")
    subscribe(calendar, "bounced@example.org")
    CalendarSubscription.objects.create(calendar=calendar, email="pending@example.org")
    gone = subscribe(calendar, "gone@example.org")
    gone.status = CalendarSubscription.Status.UNSUBSCRIBED
    gone.save()
    Suppression.objects.create(email="bounced@example.org", reason="hard_bounce", active=True)

    sent = run_at(time_machine, datetime.datetime(2026, 3, 1, 8, tzinfo=UTC))

    assert [m.to for m in sent] == [["ruth@example.org"]]
    assert CalendarDelivery.objects.get(subscription__email="bounced@example.org").status == (
        "suppressed"
    )


def test_every_email_carries_its_own_one_click_unsubscribe(calendar, time_machine):
    ruth = subscribe(calendar, "ruth@example.org")
    subscribe(calendar, "amos@example.org")
    sent = run_at(time_machine, datetime.datetime(2026, 3, 1, 8, tzinfo=UTC))

    by_address = {m.to[0]: m for m in sent}
    ruths_link = unsubscribe_url(ruth.pk, ruth.link_version)
    assert by_address["ruth@example.org"].extra_headers["List-Unsubscribe"] == f"<{ruths_link}>"
    assert by_address["ruth@example.org"].extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    assert ruths_link in by_address["ruth@example.org"].body
    assert ruths_link not in by_address["amos@example.org"].body
    assert "First point of day 1" in by_address["ruth@example.org"].body

    mail_client = Client(enforce_csrf_checks=True)
    path = ruths_link.removeprefix("http://testserver")
    assert "Press the button" in mail_client.get(path).content.decode()
    assert (
        mail_client.post(path, "List-Unsubscribe=One-Click", content_type="text/plain").status_code
        == 200
    )
    ruth.refresh_from_db()
    assert ruth.status == CalendarSubscription.Status.UNSUBSCRIBED and ruth.unsubscribed_at
    sent = run_at(time_machine, datetime.datetime(2026, 3, 2, 8, tzinfo=UTC))
    assert [m.to for m in sent] == [["amos@example.org"]]


def test_tampered_links_are_refused(client, calendar):
    ruth = subscribe(calendar, "ruth@example.org")
    good = unsubscribe_url(ruth.pk, ruth.link_version).removeprefix("http://testserver")
    assert client.get(good[:-4] + "xyz/").status_code == 400
    CalendarSubscription.objects.filter(pk=ruth.pk).update(link_version=2)
    assert client.post(good).status_code == 404
    ruth.refresh_from_db()
    assert ruth.status == CalendarSubscription.Status.ACTIVE


def test_unconfirmed_subscriptions_are_purged_after_a_week(calendar, time_machine):
    from core.confirmation import purge_unconfirmed

    start = datetime.datetime(2026, 2, 1, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    CalendarSubscription.objects.create(calendar=calendar, email="pending@example.org")
    subscribe(calendar, "ruth@example.org")
    time_machine.move_to(start + datetime.timedelta(days=6), tick=False)
    assert purge_unconfirmed() == 0
    time_machine.move_to(start + datetime.timedelta(days=8), tick=False)
    assert purge_unconfirmed() == 1
    assert CalendarSubscription.objects.get().email == "ruth@example.org"


def test_the_unconfirmed_purge_follows_the_setting(calendar, time_machine, settings):
    from core.confirmation import purge_unconfirmed

    settings.RETENTION_UNCONFIRMED_DAYS = 2
    start = datetime.datetime(2026, 2, 1, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    CalendarSubscription.objects.create(calendar=calendar, email="pending@example.org")
    time_machine.move_to(start + datetime.timedelta(days=3), tick=False)
    assert purge_unconfirmed() == 1


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the task gets to handle it."""


def test_a_worker_killed_mid_send_leaves_the_rest_to_the_next_run_and_nobody_twice(
    calendar, time_machine, monkeypatch
):
    """The outbox sends calendar days (kind `calendar_day`): one by one, each row is marked
    as its message goes, so a worker killed mid-batch leaves the rest claimed; once the claim
    is stale the resume sends those, once each."""
    for number in range(4):
        subscribe(calendar, f"p{number}@example.org")
    real_send = LocmemBackend.send_messages

    def dies_after_two(backend, messages):
        if len(mail.outbox) == 2:
            raise WorkerKilled
        return real_send(backend, messages)

    moment = datetime.datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
    time_machine.move_to(moment, tick=False)
    monkeypatch.setattr(LocmemBackend, "send_messages", dies_after_two)
    with pytest.raises(WorkerKilled):
        send_due_entries()
    monkeypatch.setattr(LocmemBackend, "send_messages", real_send)
    first = [m.to[0] for m in mail.outbox]
    assert len(first) == 2
    assert CalendarDelivery.objects.filter(status="sent").count() == 2
    assert CalendarDelivery.objects.filter(status="claimed").count() == 2

    # Another worker a minute later leaves the dead worker's claim alone...
    assert run_at(time_machine, moment + datetime.timedelta(minutes=1)) == []
    # ...and takes it over once it is stale: the two not yet sent, once each.
    stale = datetime.timedelta(seconds=outbox.claim_timeout() + 60)
    later = run_at(time_machine, moment + stale)
    assert sorted(m.to[0] for m in later) == sorted(
        f"p{n}@example.org" for n in range(4) if f"p{n}@example.org" not in first
    )
    assert CalendarDelivery.objects.filter(status="sent").count() == 4
    assert run_at(time_machine, moment + stale + datetime.timedelta(minutes=15)) == []


def test_an_entry_left_unsent_by_an_outage_is_not_sent_days_later(calendar, time_machine):
    subscribe(calendar, "ruth@example.org")
    moment = datetime.datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
    time_machine.move_to(moment, tick=False)
    with mock.patch.object(outbox, "queue_batches", return_value=0):
        send_due_entries()  # the rows are written, the cluster dies before sending
    assert CalendarDelivery.objects.get().status == "pending"
    # Two days later the resume finds the row: too late, it is skipped, not sent.
    later = run_at(time_machine, moment + datetime.timedelta(days=2, hours=1))
    assert [m.subject.split(":")[0] for m in later] == ["Day 3"]
    assert CalendarDelivery.objects.get(date=datetime.date(2026, 3, 1)).status == "suppressed"
