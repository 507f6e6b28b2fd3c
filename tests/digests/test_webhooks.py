"""Provider tracking webhooks feed the suppression list and stop subscriptions."""

import json
import logging

import pytest
from django.utils import timezone

from core.mailing import SOFT_BOUNCE_LIMIT, may_receive_bulk
from core.models import Suppression
from digests.models import Subscription
from tests.core.webhook_helpers import mailgun_event, mounted, postmark_bounce
from tests.core.webhook_helpers import post as post_webhook
from tests.digests.subscription_helpers import make_subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailgun():
    with mounted("mailgun"):
        yield


@pytest.fixture
def postmark():
    with mounted("postmark"):
        yield


def post_mailgun(client, payload, auth=True):
    return post_webhook(client, "mailgun", json.dumps(payload), auth=auth)


def post_postmark(client, payload, auth=True):
    return post_webhook(client, "postmark", json.dumps(payload), auth=auth)


def test_mailgun_permanent_failure_suppresses_the_address(client, mailgun):
    payload = mailgun_event(
        "failed",
        "Gone@Example.org",
        severity="permanent",
        reason="bounce",
        **{"delivery-status": {"code": 550, "message": "No such user", "description": ""}},
    )

    response = post_mailgun(client, payload)

    assert response.status_code == 200
    suppression = Suppression.objects.get(email="gone@example.org")
    assert suppression.active is True
    assert suppression.reason == Suppression.Reason.HARD_BOUNCE
    assert not may_receive_bulk("gone@example.org")


def test_mailgun_complaint_suppresses_and_is_not_overwritten_by_a_bounce(client, mailgun):
    post_mailgun(client, mailgun_event("complained", "angry@example.org"))
    post_mailgun(
        client,
        mailgun_event("failed", "angry@example.org", severity="permanent", reason="bounce"),
    )

    suppression = Suppression.objects.get(email="angry@example.org")
    assert suppression.active is True
    assert suppression.reason == Suppression.Reason.COMPLAINT


def test_mailgun_temporary_failures_count_once_per_message_then_suppress(client, mailgun):
    email = "full.mailbox@example.org"
    for _ in range(4):  # Mailgun reports every retry of the same message
        post_mailgun(
            client,
            mailgun_event("failed", email, message_id="retry@mg", severity="temporary"),
        )
    suppression = Suppression.objects.get(email=email)
    assert suppression.soft_bounce_count == 1
    assert suppression.active is False
    assert may_receive_bulk(email)

    for number in range(2, SOFT_BOUNCE_LIMIT + 1):
        post_mailgun(
            client,
            mailgun_event("failed", email, message_id=f"m{number}@mg", severity="temporary"),
        )
    suppression.refresh_from_db()
    assert suppression.soft_bounce_count == SOFT_BOUNCE_LIMIT
    assert suppression.active is True
    assert suppression.reason == Suppression.Reason.SOFT_BOUNCES


def test_mailgun_unsubscribe_stops_the_subscription(client, site_pages, mailgun):
    subscription = make_subscription(email="leaving@example.org")

    response = post_mailgun(client, mailgun_event("unsubscribed", "Leaving@example.org"))

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    assert subscription.unsubscribed_at is not None
    assert subscription.next_digest_at is None


def test_mailgun_delivery_and_opens_change_nothing(client, mailgun):
    post_mailgun(client, mailgun_event("delivered", "happy@example.org"))
    post_mailgun(client, mailgun_event("opened", "happy@example.org"))

    assert not Suppression.objects.exists()


def test_mailgun_requests_with_a_bad_signature_or_no_auth_are_refused(client, mailgun):
    forged = mailgun_event("complained", "victim@example.org")
    forged["signature"]["signature"] = "0" * 64

    assert post_mailgun(client, forged).status_code == 400
    honest = mailgun_event("complained", "victim@example.org")
    assert post_mailgun(client, honest, auth=False).status_code == 400
    assert not Suppression.objects.exists()


def test_postmark_hard_bounce_suppresses(client, postmark):
    response = post_postmark(client, postmark_bounce("HardBounce", "nobody@example.org"))

    assert response.status_code == 200
    suppression = Suppression.objects.get(email="nobody@example.org")
    assert (suppression.active, suppression.reason) == (True, "hard_bounce")


def test_postmark_soft_bounces_count_then_suppress(client, postmark):
    email = "away@example.org"
    for number in range(SOFT_BOUNCE_LIMIT - 1):
        post_postmark(client, postmark_bounce("SoftBounce", email, message_id=f"id-{number}"))
    suppression = Suppression.objects.get(email=email)
    assert suppression.soft_bounce_count == SOFT_BOUNCE_LIMIT - 1
    assert suppression.active is False

    post_postmark(client, postmark_bounce("SoftBounce", email, message_id="id-last"))
    suppression.refresh_from_db()
    assert (suppression.active, suppression.reason) == (True, "soft_bounces")


def test_postmark_spam_complaint_suppresses(client, postmark):
    payload = {
        "RecordType": "SpamComplaint",
        "ID": 42,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "MessageID": "00000000-0000-0000-0000-000000000000",
        "Email": "complainer@example.org",
        "BouncedAt": timezone.now().isoformat(),
        "Metadata": {},
    }

    assert post_postmark(client, payload).status_code == 200
    assert Suppression.objects.get(email="complainer@example.org").reason == "complaint"


def test_postmark_unsubscribe_stops_the_subscription(client, site_pages, postmark):
    subscription = make_subscription(email="bye@example.org")
    payload = {
        "RecordType": "SubscriptionChange",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "ServerID": 123456,
        "MessageStream": "broadcast",
        "ChangedAt": timezone.now().isoformat(),
        "Recipient": "bye@example.org",
        "Origin": "Recipient",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "Tag": "prayer-digest",
        "Metadata": {},
    }

    assert post_postmark(client, payload).status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    assert not Suppression.objects.exists()


def test_postmark_without_the_webhook_secret_is_refused(client, postmark):
    response = post_postmark(client, postmark_bounce("HardBounce", "x@example.org"), auth=False)

    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_logs_never_hold_the_address(client, caplog):
    with caplog.at_level(logging.DEBUG):
        with mounted("postmark"):
            post_postmark(client, postmark_bounce("HardBounce", "secret.person@example.org"))
        with mounted("mailgun"):
            post_mailgun(client, mailgun_event("complained", "secret.person@example.org"))

    assert Suppression.objects.get().active
    assert "secret.person" not in caplog.text
