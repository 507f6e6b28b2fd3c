"""The email provider's webhook is the only anymail door, and it cannot be forged (issue 12,
point 4): only EMAIL_PROVIDER's tracking URL is mounted; without its basic auth or signature,
with a body it cannot read, or replayed, a request answers 4xx or changes nothing, never 500."""

import datetime
import importlib.util
import json
import os
import subprocess
import sys
import time

import anymail.urls
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from core.models import Suppression, WebhookReceipt
from core.webhooks import REPLAY_WINDOW, forget_old_receipts
from digests.models import Subscription
from tests.core.webhook_helpers import (
    AUTH,
    PROVIDERS,
    WEBHOOK_SECRET,
    anymail_settings,
    bounce,
    mailgun_event,
    mailgun_signature,
    mounted,
    post,
    send,
    sendgrid_signature,
    signed_headers,
    url,
)
from tests.digests.subscription_helpers import make_subscription
from tests.fuzzing import Body, Bystander, hostile_text, methods, numberish, rows, settle, visiting
from website.settings.env import (
    ANYMAIL_PROVIDERS,
    LOCAL_EMAIL_BACKENDS,
    WEBHOOK_SIGNING_KEYS,
    require_webhook_secrets,
)

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.org"
BYSTANDER = "bystander@example.org"
AUTH_HEADER = {"Authorization": AUTH["HTTP_AUTHORIZATION"]}
# Bodies no provider sends: not JSON, not UTF-8, JSON of the wrong shape.
UNREADABLE_BODIES = [
    "garbage",
    "",
    "\udcff".encode("utf-8", "surrogateescape").decode("latin-1"),
    "[1, 2]",
    "null",
    '"text"',
    '[{"msys": {"a": {}, "b": {}}}]',
]
# JSON that reads as an event of no known kind for some providers, unreadable for others.
ODD_BODIES = [
    "{}",
    '{"items": []}',
    '{"Type": "Notification", "MessageId": "x", "Message": "{not json"}',
]
ALL_ANYMAIL_PATHS = [
    "/anymail/" + str(pattern.pattern).strip("^$").replace("(_mime)?", "")
    for pattern in anymail.urls.urlpatterns
]


@pytest.fixture(params=PROVIDERS)
def provider(request):
    with mounted(request.param):
        yield request.param


def test_the_genuine_bounce_of_every_provider_suppresses(client, provider):
    response = send(client, provider, bounce(provider, "Gone@Example.org"))

    assert response.status_code == 200
    assert Suppression.objects.get(email="gone@example.org").active


def test_it_refuses_a_request_without_basic_auth(client, provider):
    response = send(client, provider, bounce(provider, VICTIM), auth=False)

    assert response.status_code in (400, 401)
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    "authorization",
    ["Basic " + "d3Jvbmc6cGFzcw==", "Basic !!!", "Basic", "Bearer " + WEBHOOK_SECRET, "Basic ==="],
)
def test_it_refuses_wrong_or_malformed_basic_auth(client, provider, authorization):
    body, headers = bounce(provider, VICTIM)

    response = post(
        client, provider, body, {**headers, "HTTP_AUTHORIZATION": authorization}, auth=False
    )

    assert response.status_code in (400, 401, 403)
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("body", UNREADABLE_BODIES)
def test_an_authenticated_body_it_cannot_read_is_a_400(client, provider, body):
    headers = {"HTTP_X_AMZ_SNS_MESSAGE_TYPE": "Notification", "HTTP_X_AMZ_SNS_MESSAGE_ID": "x"}

    response = post(client, provider, body, {**headers, **signed_headers(provider, body)})

    assert response.status_code == 400
    assert not Suppression.objects.exists()
    assert not WebhookReceipt.objects.exists()


@pytest.mark.parametrize("body", ODD_BODIES)
def test_an_authenticated_body_of_no_known_event_changes_nothing(client, provider, body):
    headers = {"HTTP_X_AMZ_SNS_MESSAGE_TYPE": "Notification", "HTTP_X_AMZ_SNS_MESSAGE_ID": "x"}

    response = post(client, provider, body, {**headers, **signed_headers(provider, body)})

    assert response.status_code in (200, 400)
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("event_data", [None, "text", [], {}, {"recipient": VICTIM}])
def test_a_signed_mailgun_body_it_cannot_read_is_a_400(client, event_data):
    body = json.dumps({"signature": mailgun_signature(), "event-data": event_data})

    with mounted("mailgun"):
        response = post(client, "mailgun", body)

    assert response.status_code == 400
    assert not Suppression.objects.exists()


def with_recipient(body, recipient):
    """`body` with its recipient replaced by any JSON value (SES nests it in a JSON string)."""
    placeholder = json.dumps("placeholder@example.org")
    nested = json.dumps(placeholder)[1:-1]
    body = body.replace(nested, json.dumps(json.dumps(recipient))[1:-1])
    return body.replace(placeholder, json.dumps(recipient))


@pytest.mark.parametrize(
    "recipient",
    [None, ["a@example.org", "b@example.org"], 5, "not an address", "x" * 300 + "@example.org"],
)
def test_an_event_without_a_usable_recipient_changes_nothing(client, provider, recipient):
    body, headers = bounce(provider, "placeholder@example.org")
    body = with_recipient(body, recipient)

    response = post(client, provider, body, {**headers, **signed_headers(provider, body)})

    assert response.status_code in (200, 400)
    assert not Suppression.objects.exists()


def with_huge_numbers(value, huge):
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return huge
    if isinstance(value, dict):
        return {key: with_huge_numbers(item, huge) for key, item in value.items()}
    if isinstance(value, list):
        return [with_huge_numbers(item, huge) for item in value]
    return value


# 10**30 overflows every clock (OverflowError); 6.7e16 seconds fits the C clock but not a
# year the system can convert, which Linux reports as an OSError (EOVERFLOW).
@pytest.mark.parametrize("huge", [10**30, 67768036191676800])
def test_numbers_no_clock_can_hold_are_not_a_500(client, provider, huge):
    body, headers = bounce(provider, VICTIM)
    payload = with_huge_numbers(json.loads(body), huge)
    if provider == "mailgun":  # its signature block must stay signed
        payload["signature"] = mailgun_signature()
    body = json.dumps(payload)

    response = post(client, provider, body, {**headers, **signed_headers(provider, body)})

    assert response.status_code in (200, 400)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text | numberish,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3)
    ),
    max_leaves=8,
)


def mutated(data, value):
    """`value` with some fields dropped and some leaves replaced by hostile JSON."""
    if isinstance(value, dict):
        kept = {k: v for k, v in value.items() if data.draw(st.integers(0, 7), label=k)}
        return {key: mutated(data, item) for key, item in kept.items()}
    if isinstance(value, list):
        return [mutated(data, item) for item in value]
    if isinstance(value, str) and value.startswith("{"):  # SES: the event is JSON in a string
        return json.dumps(mutated(data, json.loads(value)))
    return data.draw(JSON_VALUES) if data.draw(st.integers(0, 3)) == 0 else value


def test_fuzzed_events_with_valid_credentials(provider, monkeypatch, settings):
    Suppression.objects.create(email=BYSTANDER, reason="hard_bounce", active=False)
    bystander = Bystander(rows(Suppression.objects.filter(email=BYSTANDER)))
    with visiting(monkeypatch, settings) as visitor:

        @given(data=st.data(), method=methods)
        def send(data, method):
            body, headers = bounce(provider, VICTIM)
            payload = mutated(data, json.loads(body))
            if provider == "mailgun":  # a genuine signature over a hostile body
                payload = {**payload, "signature": mailgun_signature()}
            body = json.dumps(payload)
            extra = {**headers, **signed_headers(provider, body)}
            extra = {key.removeprefix("HTTP_").replace("_", "-"): v for key, v in extra.items()}
            fuzzed = Body("application/json", body.encode(), [])
            visitor.send(method, url(provider), body=fuzzed, headers={**extra, **AUTH_HEADER})
            settle(bystander)

        send()


def test_a_forged_mailgun_signature_is_refused(client):
    forged = mailgun_event("complained", VICTIM)
    forged["signature"]["signature"] = "0" * 64

    with mounted("mailgun"):
        response = post(client, "mailgun", json.dumps(forged))

    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_a_forged_sendgrid_signature_is_refused(client):
    body, headers = bounce("sendgrid", VICTIM)
    other_body, _ = bounce("sendgrid", "someone.else@example.org")

    with mounted("sendgrid"):
        tampered = post(client, "sendgrid", other_body, headers)
        unsigned = post(client, "sendgrid", body, {})
        garbled = post(
            client,
            "sendgrid",
            body,
            {**headers, "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE": "not base64!"},
        )

    assert (tampered.status_code, unsigned.status_code, garbled.status_code) == (400, 400, 400)
    assert not Suppression.objects.exists()


def test_only_the_configured_providers_webhook_is_mounted(client):
    with mounted("postmark"):
        for path in ALL_ANYMAIL_PATHS:
            response = client.post(path, "{}", content_type="application/json", **AUTH)
            if path == "/anymail/postmark/tracking/":
                assert response.status_code == 200
            else:
                assert response.status_code == 404, path


@pytest.mark.parametrize("local_backend", sorted(LOCAL_EMAIL_BACKENDS))
def test_no_webhook_is_mounted_for_a_local_backend(client, local_backend):
    with mounted(local_backend):
        for path in ALL_ANYMAIL_PATHS:
            response = client.post(path, "{}", content_type="application/json", **AUTH)
            assert response.status_code == 404, path


def test_a_replayed_bounce_changes_nothing_after_staff_lifted_the_suppression(client, provider):
    request = bounce(provider, VICTIM)
    assert send(client, provider, request).status_code == 200
    Suppression.objects.filter(email=VICTIM).update(active=False)
    lifted = Suppression.objects.get(email=VICTIM)

    replay = send(client, provider, request)

    assert replay.status_code == 200
    after = Suppression.objects.get(email=VICTIM)
    assert (after.active, after.reason, after.updated_at) == (
        False,
        lifted.reason,
        lifted.updated_at,
    )


def test_a_replayed_unsubscribe_does_not_undo_a_new_subscription(client, site_pages):
    subscription = make_subscription(email="back.again@example.org")
    unsubscribe = {
        "RecordType": "SubscriptionChange",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "ChangedAt": timezone.now().isoformat(),
        "Recipient": "back.again@example.org",
        "SuppressSending": True,
        "Metadata": {},
    }
    with mounted("postmark"):
        assert post(client, "postmark", json.dumps(unsubscribe)).status_code == 200
        subscription.refresh_from_db()
        assert subscription.status == Subscription.Status.UNSUBSCRIBED
        Subscription.objects.filter(pk=subscription.pk).update(
            status=Subscription.Status.ACTIVE, unsubscribed_at=None
        )

        assert post(client, "postmark", json.dumps(unsubscribe)).status_code == 200

    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_a_captured_mailgun_signature_cannot_carry_another_body(client):
    delivered = mailgun_event("delivered", VICTIM)
    forged = mailgun_event("complained", VICTIM, signature=delivered["signature"])

    with mounted("mailgun"):
        assert post(client, "mailgun", json.dumps(delivered)).status_code == 200
        response = post(client, "mailgun", json.dumps(forged))

    assert response.status_code == 200
    assert not Suppression.objects.exists()


def test_a_stale_mailgun_signature_is_refused(client):
    old = time.time() - REPLAY_WINDOW.total_seconds() - 60
    stale = mailgun_event("complained", VICTIM, signature=mailgun_signature(signed_at=old))
    stale["event-data"]["timestamp"] = time.time()

    with mounted("mailgun"):
        response = post(client, "mailgun", json.dumps(stale))

    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_an_event_older_than_the_replay_window_is_ignored(client):
    old = int(time.time() - REPLAY_WINDOW.total_seconds() - 60)
    event = json.loads(bounce("sendgrid", VICTIM)[0])
    event[0]["timestamp"] = old
    body = json.dumps(event)

    with mounted("sendgrid"):
        response = post(client, "sendgrid", body, sendgrid_signature(body))

    assert response.status_code == 200
    assert not Suppression.objects.exists()


def test_receipts_are_forgotten_after_the_replay_window(client, time_machine):
    with mounted("postmark"):
        send(client, "postmark", bounce("postmark", VICTIM))
    assert WebhookReceipt.objects.count() == 1

    forget_old_receipts()
    assert WebhookReceipt.objects.count() == 1
    time_machine.move_to(timezone.now() + REPLAY_WINDOW + datetime.timedelta(minutes=1))
    forget_old_receipts()

    assert not WebhookReceipt.objects.exists()


# Production refuses to start without the webhook's secrets.


def test_every_signing_key_is_read_from_the_environment():
    for provider, key in WEBHOOK_SIGNING_KEYS.items():
        assert key in ANYMAIL_PROVIDERS[provider]


@pytest.mark.parametrize("provider", sorted(ANYMAIL_PROVIDERS))
def test_an_anymail_provider_needs_the_webhook_secret(provider):
    keys = {key: "k" for key in WEBHOOK_SIGNING_KEYS.values()}
    for secret in ["", "no-colon", ":password", "user:"]:
        with pytest.raises(ImproperlyConfigured, match="WEBHOOK_SECRET"):
            require_webhook_secrets(provider, {"WEBHOOK_SECRET": secret, **keys})


@pytest.mark.parametrize("provider", sorted(WEBHOOK_SIGNING_KEYS))
def test_a_provider_that_signs_needs_its_signing_key(provider):
    with pytest.raises(ImproperlyConfigured, match=WEBHOOK_SIGNING_KEYS[provider]):
        require_webhook_secrets(provider, {"WEBHOOK_SECRET": WEBHOOK_SECRET})


def test_a_sendgrid_key_that_is_not_a_public_key_is_refused():
    with pytest.raises(ImproperlyConfigured, match="not a public key"):
        require_webhook_secrets(
            "sendgrid",
            {
                "WEBHOOK_SECRET": WEBHOOK_SECRET,
                "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY": "bm90IGEga2V5",
            },
        )


@pytest.mark.skipif(importlib.util.find_spec("svix") is not None, reason="svix is installed")
def test_a_resend_signing_secret_needs_svix():
    with pytest.raises(ImproperlyConfigured, match="svix"):
        require_webhook_secrets(
            "resend", {"WEBHOOK_SECRET": WEBHOOK_SECRET, "RESEND_SIGNING_SECRET": "whsec_x"}
        )


@pytest.mark.parametrize("provider", [p for p in PROVIDERS if p != "resend"])
def test_the_secrets_these_tests_use_are_what_production_accepts(provider):
    require_webhook_secrets(provider, anymail_settings(provider))


@pytest.mark.parametrize("provider", sorted(LOCAL_EMAIL_BACKENDS))
def test_local_backends_need_no_webhook_secret(provider):
    require_webhook_secrets(provider, {})


def production_settings(**env):
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MAILGUN_", "WEBHOOK_", "EMAIL_", "DJANGO_SETTINGS"))
    }
    return subprocess.run(
        [sys.executable, "-c", "import website.settings.production"],
        cwd=settings.BASE_DIR,
        env={**base, "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "vigil.example.org", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"EMAIL_PROVIDER": "postmark"}, "WEBHOOK_SECRET"),
        ({"EMAIL_PROVIDER": "mailgun", "WEBHOOK_SECRET": WEBHOOK_SECRET}, "MAILGUN_WEBHOOK"),
        ({"EMAIL_PROVIDER": "mailgun", "MAILGUN_WEBHOOK_SIGNING_KEY": "k"}, "WEBHOOK_SECRET"),
    ],
)
def test_production_settings_refuse_to_load_without_the_webhook_secrets(env, missing):
    result = production_settings(**env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and missing in result.stderr


def test_production_settings_load_with_the_webhook_secrets():
    result = production_settings(
        EMAIL_PROVIDER="mailgun",
        WEBHOOK_SECRET=WEBHOOK_SECRET,
        MAILGUN_WEBHOOK_SIGNING_KEY="key-0123",
    )

    assert result.returncode == 0, result.stderr
