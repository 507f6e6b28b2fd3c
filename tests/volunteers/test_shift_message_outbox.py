"""The outbox's guarantees (core/outbox.py), proved on shift messages.

A batch run twice sends once; a stale claim is resumed by the schedule; a claim in doubt is
checked with the provider first; a suppressed address is skipped; one-by-one backends mark
each row as it goes; a 5xx retries with backoff and a permanent 4xx fails.
"""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core import outbox
from core.models import Suppression
from tests.factories import add_opportunity, add_shift, add_volunteer
from volunteers.models import ShiftMessage, ShiftMessageDelivery, SignUp

pytestmark = pytest.mark.django_db

KIND = "shift_message"
ANYMAIL = "anymail.backends.test.EmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
EVERYONE = (0, 10**9)


class ProviderError(Exception):
    def __init__(self, status_code):
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code


@pytest.fixture
def message(site_pages):
    """A shift message with three delivery rows written and nothing sent yet."""
    home, _news = site_pages
    shift = add_shift(add_opportunity(home), capacity=5)
    for n in range(3):
        volunteer = add_volunteer(email=f"v{n}@example.org", name=f"Volunteer {n}")
        SignUp.objects.create(shift=shift, volunteer=volunteer, status=SignUp.Status.CONFIRMED)
    shift_message = ShiftMessage.objects.create(
        shift=shift, subject="Bring aprons", body="Thank you", sent_at=timezone.now()
    )
    assert outbox.get_kind(KIND).create_deliveries(shift_message.pk) == 3
    mail.outbox.clear()
    return shift_message


def statuses():
    return dict(ShiftMessageDelivery.objects.values_list("signup__volunteer__email", "status"))


def addresses():
    return sorted(address for sent in mail.outbox for address in sent.to)


def test_a_batch_run_twice_sends_once(message, settings):
    settings.EMAIL_BACKEND = ANYMAIL
    assert outbox.send_batch(KIND, message.pk, *EVERYONE) == 3
    assert outbox.send_batch(KIND, message.pk, *EVERYONE) == 0
    [sent] = mail.outbox
    assert (
        set(sent.merge_data)
        == set(sent.to)
        == {"v0@example.org", "v1@example.org", "v2@example.org"}
    )
    assert all("/volunteer/my/" in data["manage_url"] for data in sent.merge_data.values())
    assert sent.metadata == {"outbox_claim": sent.metadata["outbox_claim"]}
    message.refresh_from_db()
    assert message.finished_at and message.recipient_count == 3


def test_a_stale_claim_is_resumed_by_the_schedule(message, settings, time_machine):
    settings.EMAIL_BACKEND = ANYMAIL
    time_machine.move_to(timezone.now(), tick=False)
    ShiftMessageDelivery.objects.update(
        status="claimed", claim_token="dead", claimed_at=timezone.now()
    )

    assert outbox.resume_open_sends() == 0, "a live claim is left to its worker"
    assert not mail.outbox

    time_machine.shift(datetime.timedelta(seconds=outbox.claim_timeout() + 1))
    assert outbox.resume_open_sends() == 1
    assert addresses() == ["v0@example.org", "v1@example.org", "v2@example.org"]
    assert set(statuses().values()) == {"sent"}
    message.refresh_from_db()
    assert message.finished_at


def test_a_send_whose_rows_were_never_written_is_started_by_the_schedule(message, settings):
    settings.EMAIL_BACKEND = ANYMAIL
    ShiftMessageDelivery.objects.all().delete()  # the worker died before writing them
    outbox.resume_open_sends()
    assert addresses() == ["v0@example.org", "v1@example.org", "v2@example.org"]


def in_doubt(time_machine, claim="old-token"):
    """Rows whose provider call was recorded by a worker that then died."""
    time_machine.move_to(timezone.now(), tick=False)
    ShiftMessageDelivery.objects.update(
        status="claimed",
        claim_token=claim,
        claimed_at=timezone.now(),
        message_id=f"call:{claim}",
        attempts=1,
    )
    time_machine.shift(datetime.timedelta(seconds=outbox.claim_timeout() + 1))


def test_a_claim_in_doubt_that_the_provider_accepted_is_not_sent_again(
    message, settings, time_machine, monkeypatch
):
    settings.EMAIL_BACKEND = ANYMAIL
    asked = []
    monkeypatch.setattr(
        outbox, "provider_accepted_claims", lambda tokens: asked.extend(tokens) or {"old-token"}
    )
    in_doubt(time_machine)
    assert outbox.send_batch(KIND, message.pk, *EVERYONE) == 0
    assert asked == ["old-token"]
    assert not mail.outbox
    assert set(ShiftMessageDelivery.objects.values_list("message_id", flat=True)) == {
        "accepted:old-token"
    }
    assert set(statuses().values()) == {"sent"}


def test_a_claim_in_doubt_that_the_provider_never_saw_is_sent(
    message, settings, time_machine, monkeypatch
):
    settings.EMAIL_BACKEND = ANYMAIL
    monkeypatch.setattr(outbox, "provider_accepted_claims", lambda tokens: set())
    in_doubt(time_machine)
    assert outbox.send_batch(KIND, message.pk, *EVERYONE) == 3
    assert len(mail.outbox) == 1


def test_a_claim_in_doubt_waits_while_the_provider_cannot_answer(
    message, settings, time_machine, monkeypatch
):
    def down(tokens):
        raise outbox.ProviderLookupFailed("ConnectionError")

    settings.EMAIL_BACKEND = ANYMAIL
    monkeypatch.setattr(outbox, "provider_accepted_claims", down)
    in_doubt(time_machine)
    assert outbox.send_batch(KIND, message.pk, *EVERYONE) == 0
    assert not mail.outbox
    assert set(statuses().values()) == {"claimed"}, "asked again when the claim is stale"


def test_mailgun_is_asked_by_the_claim_variable(settings, monkeypatch):
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    settings.ANYMAIL = {"MAILGUN_API_KEY": "key", "MAILGUN_SENDER_DOMAIN": "mg.example.org"}
    asked = []

    class Answer:
        def __init__(self, items):
            self.items = items

        def raise_for_status(self):
            """The fake provider always answers 200."""

        def json(self):
            return {"items": self.items}

    def get(url, params, **kwargs):
        asked.append((url, params["user-variables"]))
        return Answer([{"event": "accepted"}] if "yes" in params["user-variables"] else [])

    monkeypatch.setattr("requests.get", get)
    assert outbox.provider_accepted_claims(["yes", "no"]) == {"yes"}
    assert asked[0] == (
        "https://api.mailgun.net/v3/mg.example.org/events",
        '{"outbox_claim": "yes"}',
    )


def test_an_address_suppressed_after_the_rows_were_written_is_skipped(message, settings):
    settings.EMAIL_BACKEND = ANYMAIL
    Suppression.objects.create(email="v1@example.org", reason="hard_bounce", active=True)
    assert outbox.send_batch(KIND, message.pk, *EVERYONE) == 2
    assert addresses() == ["v0@example.org", "v2@example.org"]
    assert statuses()["v1@example.org"] == "suppressed"


def test_someone_who_left_the_shift_is_skipped(message, settings):
    settings.EMAIL_BACKEND = ANYMAIL
    SignUp.objects.filter(volunteer__email="v2@example.org").update(status=SignUp.Status.CANCELLED)
    assert outbox.send_batch(KIND, message.pk, *EVERYONE) == 2
    assert statuses()["v2@example.org"] == "suppressed"


def test_one_by_one_marks_each_row_as_its_message_is_accepted(
    message, settings, monkeypatch, caplog
):
    settings.EMAIL_BACKEND = LOCMEM
    from django.core.mail.backends.locmem import EmailBackend

    send = EmailBackend.send_messages
    seen = []

    def second_fails(self, messages):
        seen.append(dict(statuses()))
        if len(seen) == 2:
            raise ConnectionError("dropped")
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", second_fails)
    assert outbox.send_batch(KIND, message.pk, *EVERYONE) == 1
    assert seen[1]["v0@example.org"] == "sent", "marked before the next message goes"
    [sent] = mail.outbox
    assert sent.to == ["v0@example.org"]
    assert "%recipient." not in sent.body and "/volunteer/my/" in sent.body
    rows = statuses()
    assert rows == {
        "v0@example.org": "sent",
        "v1@example.org": "pending",
        "v2@example.org": "pending",
    }
    assert "example.org" not in caplog.text, "logs carry counts, never addresses"


def test_a_5xx_retries_with_backoff_then_fails(message, settings, monkeypatch, time_machine):
    settings.EMAIL_BACKEND = ANYMAIL

    def unavailable(self, messages):
        raise ProviderError(503)

    monkeypatch.setattr(f"{ANYMAIL}.send_messages", unavailable)
    time_machine.move_to(timezone.now(), tick=False)
    for attempt in range(1, outbox.MAX_ATTEMPTS):
        now = timezone.now()
        outbox.send_batch(KIND, message.pk, *EVERYONE)
        row = ShiftMessageDelivery.objects.first()
        assert (row.status, row.attempts) == ("pending", attempt)
        assert row.next_attempt_at == now + outbox.RETRY_BACKOFF * 2 ** (attempt - 1)
        assert row.last_error == "ProviderError: HTTP 503"
        assert outbox.send_batch(KIND, message.pk, *EVERYONE) == 0, "not before the backoff"
        time_machine.shift(outbox.RETRY_BACKOFF * 2 ** (attempt - 1))
    outbox.send_batch(KIND, message.pk, *EVERYONE)
    assert set(statuses().values()) == {"failed"}
    message.refresh_from_db()
    assert message.finished_at and message.recipient_count == 0


@pytest.mark.parametrize("status", [429, 500])
def test_rate_limits_and_server_errors_are_retried(message, settings, monkeypatch, status):
    settings.EMAIL_BACKEND = ANYMAIL

    def refuse(self, messages):
        raise ProviderError(status)

    monkeypatch.setattr(f"{ANYMAIL}.send_messages", refuse)
    outbox.send_batch(KIND, message.pk, *EVERYONE)
    assert set(statuses().values()) == {"pending"}


def test_a_permanent_4xx_fails_at_once(message, settings, monkeypatch):
    settings.EMAIL_BACKEND = ANYMAIL

    def bad_request(self, messages):
        raise ProviderError(400)

    monkeypatch.setattr(f"{ANYMAIL}.send_messages", bad_request)
    outbox.send_batch(KIND, message.pk, *EVERYONE)
    assert set(statuses().values()) == {"failed"}
    assert ShiftMessageDelivery.objects.first().attempts == 1


def test_one_by_one_fails_a_refused_address_and_sends_the_rest(message, settings, monkeypatch):
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    settings.EMAIL_BACKEND = LOCMEM
    send = EmailBackend.send_messages

    def refuse_v1(self, messages):
        if messages[0].to == ["v1@example.org"]:
            raise smtplib.SMTPRecipientsRefused({"v1@example.org": (550, b"No such user")})
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_v1)
    assert outbox.send_batch(KIND, message.pk, *EVERYONE) == 2
    assert addresses() == ["v0@example.org", "v2@example.org"]
    assert statuses()["v1@example.org"] == "failed"
    message.refresh_from_db()
    assert message.finished_at and message.recipient_count == 2
