"""Single emails (confirmations, reminders, staff notifications) go through the outbox.

queue_email writes a core.OutboundEmail row in the caller's transaction and queues its send
for the commit; core.single_messages.send_single claims it, skips a suppressed address, records the
provider call before marking, retries 5xx/429/timeouts with backoff and fails after
MAX_ATTEMPTS; a claim left in doubt is checked with the provider before sending again.
"""

import datetime
import logging
import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from core import outbox, single_messages
from core.emails import queue_email
from core.models import OutboundEmail, Suppression

ANYMAIL = "anymail.backends.test.EmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
ADDRESS = "ana@example.org"


class ProviderError(Exception):
    def __init__(self, status_code):
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code


class Undone(Exception):
    """Raised inside a block to make it roll back."""


@pytest.fixture
def held(monkeypatch):
    """The send tasks queued, not run: what reached the cluster (row ids)."""
    queued = []
    monkeypatch.setattr(single_messages, "queue_single", lambda row_id, kind: queued.append(row_id))
    return queued


@pytest.mark.django_db
def test_the_row_is_written_with_the_change_and_sent_once_it_commits():
    with transaction.atomic():
        row_id = queue_email("test-email", ADDRESS, {"when": datetime.date(2026, 3, 1)})
        assert mail.outbox == [], "nothing leaves before the commit"
        assert OutboundEmail.objects.filter(pk=row_id, status="pending").exists()
    assert [m.to for m in mail.outbox] == [[ADDRESS]]
    row = OutboundEmail.objects.get(pk=row_id)
    assert row.status == "sent" and row.sent_at
    assert row.context == {"when": datetime.date(2026, 3, 1)}, "dates keep their type"


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_row_and_sends_nothing():
    with pytest.raises(Undone), transaction.atomic():
        queue_email("test-email", ADDRESS, {})
        raise Undone
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_send_run_twice_sends_once(held):
    row_id = queue_email("test-email", ADDRESS, {})
    assert single_messages.send_single(row_id) is True
    assert single_messages.send_single(row_id) is False
    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get(pk=row_id).attempts == 1


@pytest.mark.django_db
def test_headers_reply_to_and_attachments_reach_the_message(held):
    row_id = queue_email(
        "test-email",
        [ADDRESS, "ben@example.org"],
        {},
        headers={"List-Unsubscribe": "<https://example.org/u/1>"},
        reply_to=["desk@example.org"],
        attachments=[
            {"filename": "a.ics", "content": "BEGIN:VCALENDAR", "mimetype": "text/calendar"}
        ],
    )
    single_messages.send_single(row_id)
    [message] = mail.outbox
    assert message.to == [ADDRESS, "ben@example.org"]
    assert message.extra_headers["List-Unsubscribe"] == "<https://example.org/u/1>"
    assert message.reply_to == ["desk@example.org"]
    assert message.attachments[0][0] == "a.ics"
    assert message.alternatives[0][1] == "text/html"


@pytest.mark.django_db
def test_a_suppressed_address_is_not_sent_to(held):
    Suppression.objects.create(email=ADDRESS, reason="hard_bounce", active=True)
    row_id = queue_email("test-email", ADDRESS.upper(), {})
    single_messages.send_single(row_id)
    assert mail.outbox == []
    assert OutboundEmail.objects.get(pk=row_id).status == "suppressed"


@pytest.mark.django_db
def test_a_suppressed_coordinator_leaves_the_others_their_copy(held):
    Suppression.objects.create(email="gone@example.org", reason="complaint", active=True)
    row_id = queue_email("test-email", ["gone@example.org", ADDRESS], {})
    single_messages.send_single(row_id)
    assert [m.to for m in mail.outbox] == [[ADDRESS]]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [500, 503, 429, None])
def test_server_errors_rate_limits_and_timeouts_retry_with_backoff_then_fail(
    held, settings, monkeypatch, time_machine, status
):
    settings.EMAIL_BACKEND = ANYMAIL

    def unavailable(self, messages):
        raise TimeoutError("timed out") if status is None else ProviderError(status)

    monkeypatch.setattr(f"{ANYMAIL}.send_messages", unavailable)
    time_machine.move_to(timezone.now(), tick=False)
    row_id = queue_email("test-email", ADDRESS, {})
    for attempt in range(1, outbox.MAX_ATTEMPTS):
        now = timezone.now()
        single_messages.send_single(row_id)
        row = OutboundEmail.objects.get(pk=row_id)
        assert (row.status, row.attempts) == ("pending", attempt)
        assert row.next_attempt_at == now + outbox.RETRY_BACKOFF * 2 ** (attempt - 1)
        assert single_messages.send_single(row_id) is False, "not before the backoff"
        time_machine.shift(outbox.RETRY_BACKOFF * 2 ** (attempt - 1))
        # The schedule queues it again once it is due.
        held.clear()
        outbox.resume_open_sends()
        assert held == [row_id]
    single_messages.send_single(row_id)
    row = OutboundEmail.objects.get(pk=row_id)
    assert (row.status, row.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert mail.outbox == []
    held.clear()
    outbox.resume_open_sends()
    assert held == [], "a failed message is not resumed"


@pytest.mark.django_db
def test_a_permanent_4xx_fails_at_once(held, settings, monkeypatch):
    settings.EMAIL_BACKEND = ANYMAIL

    def bad_request(self, messages):
        raise ProviderError(400)

    monkeypatch.setattr(f"{ANYMAIL}.send_messages", bad_request)
    row_id = queue_email("test-email", ADDRESS, {})
    single_messages.send_single(row_id)
    row = OutboundEmail.objects.get(pk=row_id)
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "ProviderError: HTTP 400")


def _left_in_doubt(row_id, time_machine):
    """The worker recorded its provider call, then was killed before marking the row."""
    time_machine.move_to(timezone.now(), tick=False)
    OutboundEmail.objects.filter(pk=row_id).update(
        status="claimed",
        claim_token="old-token",
        claimed_at=timezone.now(),
        message_id=f"{outbox.CALL_PREFIX}old-token",
        attempts=1,
    )
    time_machine.shift(datetime.timedelta(seconds=outbox.claim_timeout() + 1))


@pytest.mark.django_db
def test_a_claim_in_doubt_that_the_provider_accepted_is_not_sent_again(
    held, monkeypatch, time_machine
):
    row_id = queue_email("test-email", ADDRESS, {})
    _left_in_doubt(row_id, time_machine)
    asked = []
    monkeypatch.setattr(
        outbox, "provider_accepted_claims", lambda tokens: asked.extend(tokens) or {"old-token"}
    )
    held.clear()
    outbox.resume_open_sends()
    assert held == [row_id], "the schedule picks up the stale claim"
    single_messages.send_single(row_id)
    assert asked == ["old-token"]
    assert mail.outbox == []
    row = OutboundEmail.objects.get(pk=row_id)
    assert (row.status, row.message_id) == ("sent", "accepted:old-token")


@pytest.mark.django_db
def test_a_claim_in_doubt_that_the_provider_never_saw_is_sent(held, monkeypatch, time_machine):
    row_id = queue_email("test-email", ADDRESS, {})
    _left_in_doubt(row_id, time_machine)
    monkeypatch.setattr(outbox, "provider_accepted_claims", lambda tokens: set())
    assert single_messages.send_single(row_id) is True
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_claim_in_doubt_waits_while_the_provider_cannot_answer(held, monkeypatch, time_machine):
    row_id = queue_email("test-email", ADDRESS, {})
    _left_in_doubt(row_id, time_machine)

    def down(tokens):
        raise outbox.ProviderLookupFailed("ConnectionError")

    monkeypatch.setattr(outbox, "provider_accepted_claims", down)
    assert single_messages.send_single(row_id) is False
    assert mail.outbox == []
    assert OutboundEmail.objects.get(pk=row_id).status == "claimed"


@pytest.mark.django_db
def test_the_claim_travels_with_the_message_for_the_provider_lookup(held, settings):
    settings.EMAIL_BACKEND = ANYMAIL
    row_id = queue_email("test-email", ADDRESS, {})
    single_messages.send_single(row_id)
    [message] = mail.outbox
    assert set(message.metadata) == {outbox.CLAIM_VARIABLE}
    assert OutboundEmail.objects.get(pk=row_id).message_id == str(message.anymail_status.message_id)


HOSTILE = [
    "ana@example.org\nBcc: everyone@example.org",
    "ana@example.org\r\nSubject: hi",
    "a" * 5000 + "@example.org",
    "ana@" + "b" * 300 + ".org",
    "not an address",
    "",
    "ana@exa\ufffdmple.org",
]


@pytest.mark.django_db
@pytest.mark.parametrize("address", HOSTILE)
def test_a_hostile_address_never_reaches_the_backend(held, address):
    assert queue_email("test-email", address, {}) is None
    assert queue_email("test-email", [address, ADDRESS], {}) is not None
    assert not OutboundEmail.objects.exclude(to=[ADDRESS]).exists()
    for row in OutboundEmail.objects.all():
        single_messages.send_single(row.pk)
    assert [m.to for m in mail.outbox] == [[ADDRESS]]


@pytest.mark.django_db
@pytest.mark.parametrize("address", HOSTILE)
def test_a_hostile_address_already_in_a_row_is_suppressed_not_sent(held, address):
    """A row written before the check (or by hand) still never reaches the backend."""
    row = OutboundEmail.objects.create(kind="test", template="test-email", to=[address])
    assert single_messages.send_single(row.pk) is False
    assert mail.outbox == []
    assert OutboundEmail.objects.get(pk=row.pk).status == "suppressed"


@pytest.mark.django_db
def test_a_header_injection_in_a_header_fails_the_row_without_sending(held):
    row_id = queue_email("test-email", ADDRESS, {}, headers={"X-Vigil": "1\nBcc: x@example.org"})
    assert single_messages.send_single(row_id) is False
    assert mail.outbox == []
    row = OutboundEmail.objects.get(pk=row_id)
    assert (row.status, row.attempts) == ("failed", 0)


@pytest.mark.django_db
def test_logs_name_the_kind_never_the_address_or_token(held, settings, monkeypatch, caplog):
    settings.EMAIL_BACKEND = ANYMAIL
    caplog.set_level(logging.DEBUG)
    token = "signed-token-abc123"
    sent = queue_email("test-email", ADDRESS, {"confirm_url": f"https://x/{token}"})
    single_messages.send_single(sent)

    def unavailable(self, messages):
        raise ProviderError(503)

    monkeypatch.setattr(f"{ANYMAIL}.send_messages", unavailable)
    retried = queue_email("test-email", "ben@example.org", {"confirm_url": f"https://x/{token}"})
    single_messages.send_single(retried)
    queue_email("test-email", ["bad\naddress@example.org"], {})
    assert "test-email" in caplog.text
    for secret in ("example.org", token):
        assert secret not in caplog.text


@pytest.mark.django_db
def test_a_task_queued_before_the_upgrade_still_sends_through_the_outbox():
    from core.tasks import send_templated_email

    send_templated_email("test-email", ADDRESS, {}, headers={"X-Vigil": "1"})
    assert [m.to for m in mail.outbox] == [[ADDRESS]]
    assert OutboundEmail.objects.get().status == "sent"


@pytest.mark.django_db
def test_one_by_one_backend_marks_the_row_sent(held, settings):
    settings.EMAIL_BACKEND = LOCMEM
    row_id = queue_email("test-email", ADDRESS, {})
    assert single_messages.send_single(row_id) is True
    assert OutboundEmail.objects.get(pk=row_id).status == "sent"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row locks in the claim UPDATE only race meaningfully on PostgreSQL; SQLite "
    "serialises writers.",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_messages_send_each_once(held):
    rows = [queue_email("test-email", f"p{n}@example.org", {}) for n in range(30)]
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            start.wait()
            for row_id in rows:
                single_messages.send_single(row_id)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"p{n}@example.org" for n in range(30))
    assert OutboundEmail.objects.filter(status="sent").count() == 30


@pytest.mark.django_db
def test_account_deletion_erases_the_persons_emails_and_leaves_shared_ones(held):
    from core import outbound_privacy
    from core.privacy import erase_everywhere, export_everywhere

    queue_email("test-email", "Ruth@Example.org", {"confirm_url": "https://x/secret"})
    shared = queue_email("test-email", ["ruth@example.org", "coord@example.org"], {})
    other = queue_email("test-email", "xruth@example.org", {})
    exported = export_everywhere(["ruth@example.org"])["emails_to_you"]
    assert [record["email"] for record in exported] == ["test-email", "test-email"]
    assert "secret" not in repr(exported)

    counts = erase_everywhere(["ruth@example.org"], timezone.now())
    assert counts["queued_emails_deleted"] == 1 and counts["shared_emails_left"] == 1
    assert OutboundEmail.objects.get(pk=shared).to == ["coord@example.org"]
    assert OutboundEmail.objects.filter(pk=other).exists(), "a longer address is someone else"
    assert outbound_privacy.export(["ruth@example.org"]) == {"emails_to_you": []}


@pytest.mark.django_db
def test_done_emails_are_forgotten_after_the_retention_period(held, settings):
    from core.outbound_privacy import forget_sent_emails

    settings.RETENTION_SENT_EMAIL_DAYS = 30
    old = timezone.now() - datetime.timedelta(days=31)
    sent = queue_email("test-email", ADDRESS, {})
    single_messages.send_single(sent)
    waiting = queue_email("test-email", ADDRESS, {})
    recent = queue_email("test-email", ADDRESS, {})
    single_messages.send_single(recent)
    OutboundEmail.objects.filter(pk__in=[sent, waiting]).update(created_at=old)
    assert forget_sent_emails() == 1
    assert set(OutboundEmail.objects.values_list("pk", flat=True)) == {waiting, recent}


@pytest.mark.django_db
def test_a_message_that_forgets_when_sent_keeps_no_address(held):
    row_id = queue_email("test-email", ADDRESS, {"deleted_on": "1 March"}, forget_when_sent=True)
    single_messages.send_single(row_id)
    row = OutboundEmail.objects.get(pk=row_id)
    assert (row.status, row.to, row.context) == ("sent", [], {})
    assert [m.to for m in mail.outbox] == [[ADDRESS]]
