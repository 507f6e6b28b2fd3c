"""Sending a dispatch: batches, per-recipient unsubscribe headers, the command, query counts."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import mailing
from core.models import Suppression
from digests import dispatching, links
from digests.models import DigestDelivery, DigestIssue, Subscription
from digests.tasks import send_due_digests
from prayer.models import PrayerRequest

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 7, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _anymail_test_backend(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def dispatch():
        with django_capture_on_commit_callbacks(execute=True):
            return send_due_digests()

    return dispatch


def new_request(title="Pray for the drop-in centre"):
    return PrayerRequest.objects.create(
        title=title,
        public_text="Staff are tired this month.",
        status="approved",
        approved_at=NOW - datetime.timedelta(hours=1),
    )


def subscribers(count, **fields):
    fields.setdefault("status", Subscription.Status.ACTIVE)
    fields.setdefault("frequency", "daily")
    return Subscription.objects.bulk_create(
        Subscription(email=f"reader{i}@example.org", **fields) for i in range(count)
    )


def test_batch_has_merge_data_and_per_recipient_unsubscribe_headers(now, run):
    new_request()
    subs = subscribers(3)

    run()

    [message] = mail.outbox
    params = message.anymail_test_params
    assert params["is_batch_send"] is True
    assert sorted(message.to) == sorted(s.email for s in subs)
    assert set(params["merge_data"]) == {s.email for s in subs}
    for s in subs:
        unsubscribe = links.unsubscribe_url(s.pk, s.link_version)
        assert params["merge_data"][s.email]["unsubscribe_url"] == unsubscribe
        assert params["merge_data"][s.email]["preferences_url"] == links.preferences_url(
            s.pk, s.link_version
        )
        assert params["merge_headers"][s.email] == {"List-Unsubscribe": f"<{unsubscribe}>"}
    # The one-click header is the same for every recipient, so it is sent once.
    assert params["extra_headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The body carries the merge fields, never one reader's own link.
    assert "%recipient.unsubscribe_url%" in message.body
    assert "%recipient.unsubscribe_url%" in message.alternatives[0][0]
    assert "reader0@example.org" not in message.body


def test_rows_marked_sent_with_message_id_and_schedule_moves_on(now, run):
    new_request()
    [sub] = subscribers(1)

    run()

    delivery = DigestDelivery.objects.get()
    assert delivery.status == "sent"
    assert delivery.message_id != ""
    assert delivery.sent_at == NOW
    assert delivery.attempts == 1
    sub.refresh_from_db()
    assert sub.last_digest_at == NOW
    assert sub.next_digest_at == datetime.datetime(2026, 3, 3, 7, tzinfo=datetime.UTC)
    assert DigestIssue.objects.get().status == "done"


def test_batches_are_cut_to_the_provider_limit(now, run, monkeypatch):
    monkeypatch.setattr(mailing, "DEFAULT_BATCH_LIMIT", 4)
    new_request()
    subscribers(10)

    run()

    assert sorted(len(m.to) for m in mail.outbox) == [2, 4, 4]
    assert DigestDelivery.objects.filter(status="sent").count() == 10


def test_provider_limits():
    assert mailing.PROVIDER_BATCH_LIMITS["mailgun"] == 1000
    assert mailing.PROVIDER_BATCH_LIMITS["postmark"] == 500


def test_mailgun_limit_is_used_for_mailgun(settings):
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    assert mailing.batch_limit() == 1000
    settings.EMAIL_BACKEND = "anymail.backends.amazon_ses.EmailBackend"
    assert mailing.batch_limit() == 50


def test_backend_without_batch_support_gets_one_message_each(now, run, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    new_request()
    subs = subscribers(2)

    run()

    assert len(mail.outbox) == 2
    for s in subs:
        [message] = [m for m in mail.outbox if m.to == [s.email]]
        unsubscribe = links.unsubscribe_url(s.pk, s.link_version)
        assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert unsubscribe in message.body
        assert unsubscribe in message.alternatives[0][0]
        assert "%recipient." not in message.body
    assert DigestDelivery.objects.filter(status="sent").count() == 2


def test_suppressed_address_is_not_sent_and_recorded(now, run):
    new_request()
    subs = subscribers(2)
    Suppression.objects.create(email=subs[0].email, reason="hard_bounce", active=True)

    run()

    [message] = mail.outbox
    assert message.to == [subs[1].email]
    assert DigestDelivery.objects.get(subscription=subs[0]).status == "suppressed"
    assert DigestDelivery.objects.get(subscription=subs[1]).status == "sent"


def test_queries_grow_with_batches_not_recipients(now, run, monkeypatch):
    monkeypatch.setattr(mailing, "DEFAULT_BATCH_LIMIT", 50)
    new_request()
    subscribers(20)
    with CaptureQueriesContext(connection) as small:
        run()
    small_count = len(small.captured_queries)

    time_later = NOW + datetime.timedelta(days=1)
    Subscription.objects.all().delete()
    DigestIssue.objects.all().delete()
    mail.outbox.clear()
    PrayerRequest.objects.update(approved_at=time_later - datetime.timedelta(hours=1))
    subscribers(50)
    Subscription.objects.update(next_digest_at=None)
    with CaptureQueriesContext(connection) as large, pytest.MonkeyPatch.context() as patch:
        patch.setattr(dispatching.timezone, "now", lambda: time_later)
        run()

    assert DigestDelivery.objects.filter(status="sent").count() == 50
    assert len(mail.outbox) == 1
    assert len(large.captured_queries) <= small_count + 2


def test_send_digests_command_sends(now, django_capture_on_commit_callbacks):
    new_request()
    subscribers(2)
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", stdout=out)

    assert "Sent 2 digests in 1 issues" in out.getvalue()
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.filter(status="sent").count() == 2


def test_send_digests_queue_hands_batches_to_the_cluster(
    now, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(dispatching, "queue_batches", lambda ids, now=None: queued.append(ids))
    new_request()
    subscribers(2)
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", "--queue", stdout=out)

    assert "Queued 2 digests in 1 issues" in out.getvalue()
    assert len(queued) == 1
    assert mail.outbox == []


def test_send_digests_dry_run_counts_and_writes_nothing(now):
    new_request()
    subscribers(3)
    out = io.StringIO()

    call_command("send_digests", "--dry-run", stdout=out)

    assert "Would send 3 digests in 1 issues (1 batches); 3 subscribers due" in out.getvalue()
    assert mail.outbox == []
    assert DigestIssue.objects.count() == 0
    assert DigestDelivery.objects.count() == 0
    assert not Subscription.objects.filter(next_digest_at__isnull=False).exists()


def test_nothing_due_nothing_sent(now, run):
    new_request()
    subscribers(2, next_digest_at=NOW + datetime.timedelta(hours=2))

    assert run()["due"] == 0
    assert mail.outbox == []
