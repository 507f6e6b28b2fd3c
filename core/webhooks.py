"""anymail tracking webhooks: bounces and complaints feed the suppression list.

anymail normalises every provider's events (`/anymail/<provider>/tracking/`, protected by
WEBHOOK_SECRET). What a normalised event means for us:

- "complained", or a rejection because of an earlier complaint: suppress at once.
- "bounced": a permanent failure (Mailgun "failed" with severity "permanent", Postmark
  "HardBounce"), so suppress at once, unless the provider says it was soft: Postmark's
  "SoftBounce" (anymail reports it as "bounced" too), or a reject_reason of "timed_out"
  (gave up after retries) or "other" (e.g. Mailgun's "generic").
- "deferred": a temporary failure (Mailgun severity "temporary", Postmark "Transient").
- soft failures are counted once per message (a provider reports every retry of the same
  message, and that is one bounce, not five); SOFT_BOUNCE_LIMIT of them suppress.
- "unsubscribed" (the provider's own unsubscribe link or list): each app that sends bulk
  mail stops it for that address, through the handler it registered with
  `register_unsubscribe` (prayer: its subscription).

Each event is acted on once (a WebhookReceipt per event, in the transaction that acts on
it), however often it arrives: providers retry, and a captured request can be replayed.
Events older than REPLAY_WINDOW are ignored, so receipts need not be kept longer than that.
Which webhook URL is served, and how malformed bodies are answered: core/webhook_urls.py.
"""

import datetime
import hashlib
import json
import logging
from collections.abc import Callable

from anymail.signals import EventType, RejectReason, tracking
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone

from core.mailing import SOFT_BOUNCE_LIMIT, normalise_email
from core.ratelimit import hashed

logger = logging.getLogger(__name__)

SOFT_REJECT_REASONS = {RejectReason.TIMED_OUT, RejectReason.OTHER}
HARD_REJECT_REASONS = {RejectReason.BOUNCED, RejectReason.INVALID}
PROVIDER_SOFT_TYPES = {"SoftBounce", "Transient", "DnsError"}
# Providers retry a deferred message for up to a few days.
SOFT_BOUNCE_MEMORY = 4 * 24 * 60 * 60
# Providers retry a webhook they could not deliver for hours (Mailgun 8, SendGrid 24), not days.
REPLAY_WINDOW = datetime.timedelta(days=7)
EMAIL_MAX_LENGTH = 254  # Suppression.email


def classify(event):
    """One of "hard", "soft", "complaint", "unsubscribed" or None (nothing to do)."""
    if event.event_type == EventType.COMPLAINED:
        return "complaint"
    if event.event_type == EventType.UNSUBSCRIBED:
        return "unsubscribed"
    if event.event_type == EventType.DEFERRED:
        return "soft"
    if event.event_type == EventType.BOUNCED:
        esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
        if esp_event.get("Type") in PROVIDER_SOFT_TYPES:
            return "soft"
        if event.reject_reason in SOFT_REJECT_REASONS:
            return "soft"
        return "hard"
    if event.event_type == EventType.REJECTED:
        if event.reject_reason == RejectReason.SPAM:
            return "complaint"
        if event.reject_reason in HARD_REJECT_REASONS:
            return "hard"
        if event.reject_reason == RejectReason.UNSUBSCRIBED:
            return "unsubscribed"
    return None


def suppress(email, reason):
    from core.models import Suppression

    with transaction.atomic():
        suppression, _ = Suppression.objects.get_or_create(email=email)
        suppression = Suppression.objects.select_for_update().get(pk=suppression.pk)
        # A complaint is the strongest reason; a later bounce does not hide it.
        if not suppression.active or reason == Suppression.Reason.COMPLAINT:
            suppression.reason = reason
        suppression.active = True
        suppression.save(update_fields=["active", "reason", "updated_at"])


def count_soft_bounce(email, message_id):
    from core.models import Suppression

    if message_id and not cache.add(
        f"vigil:soft-bounce:{hashed(email)}:{hashed(message_id)}", 1, SOFT_BOUNCE_MEMORY
    ):
        return
    with transaction.atomic():
        suppression, _ = Suppression.objects.get_or_create(email=email)
        Suppression.objects.filter(pk=suppression.pk).update(
            soft_bounce_count=F("soft_bounce_count") + 1, updated_at=timezone.now()
        )
        suppression.refresh_from_db()
        if not suppression.active and suppression.soft_bounce_count >= SOFT_BOUNCE_LIMIT:
            suppression.active = True
            suppression.reason = Suppression.Reason.SOFT_BOUNCES
            suppression.save(update_fields=["active", "reason", "updated_at"])


# Called with a normalised address inside the transaction that records the event's receipt,
# so each handler must be idempotent (a replayed event finds nothing left to change).
UNSUBSCRIBE_HANDLERS: list[Callable[[str], object]] = []


def register_unsubscribe(handler: Callable[[str], object]) -> None:
    """An app's handler for "this address unsubscribed at the provider"; from its ready()."""
    if handler not in UNSUBSCRIBE_HANDLERS:
        UNSUBSCRIBE_HANDLERS.append(handler)


def unsubscribe(email):
    for handler in UNSUBSCRIBE_HANDLERS:
        handler(email)


def recipient_address(event):
    """The event's recipient as the suppression list stores it; "" if it is no address."""
    if not isinstance(event.recipient, str):
        return ""
    email = normalise_email(event.recipient)
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return email if len(email) <= EMAIL_MAX_LENGTH else ""


def receipt_key(esp_name, event):
    """The event's identity: the provider's event id, else the whole event as it was sent
    (a replay is byte for byte the same event)."""
    if event.event_id:
        identity = f"{esp_name}:id:{event.event_id}"
    else:
        identity = f"{esp_name}:event:{json.dumps(event.esp_event, sort_keys=True, default=str)}"
    return hashlib.sha256(identity.encode()).hexdigest()


def first_receipt(esp_name, event):
    """Record the event; False if it was recorded before (call inside a transaction)."""
    from core.models import WebhookReceipt

    _, created = WebhookReceipt.objects.get_or_create(key=receipt_key(esp_name, event))
    return created


def is_too_old(moment):
    """Whether an event (or a signature) dates from before the replay window."""
    if moment is None:
        return False
    if timezone.is_naive(moment):  # a provider's time without a zone is UTC
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment < timezone.now() - REPLAY_WINDOW


def forget_old_receipts():
    """Daily: receipts older than the window are not needed (such events are ignored)."""
    from core.models import WebhookReceipt

    deleted, _ = WebhookReceipt.objects.filter(
        received_at__lt=timezone.now() - REPLAY_WINDOW
    ).delete()
    logger.info("Forgot %d webhook receipts", deleted)


@receiver(tracking, dispatch_uid="vigil-suppression-tracking")
def handle_tracking_event(sender, event, esp_name, **kwargs):
    from core.models import Suppression

    if is_too_old(event.timestamp):
        logger.warning("%s tracking event %s is too old, ignored", esp_name, event.event_id)
        return
    email = recipient_address(event)
    kind = classify(event)
    with transaction.atomic():
        if not first_receipt(esp_name, event):
            logger.info("%s tracking event %s seen before, ignored", esp_name, event.event_id)
            return
        if not email or kind is None:
            return
        if kind == "hard":
            suppress(email, Suppression.Reason.HARD_BOUNCE)
        elif kind == "complaint":
            suppress(email, Suppression.Reason.COMPLAINT)
        elif kind == "soft":
            count_soft_bounce(email, event.message_id)
        elif kind == "unsubscribed":
            unsubscribe(email)
    # The event id, never the address: logs hold no personal data.
    logger.info("%s tracking event %s handled as %s", esp_name, event.event_id, kind)
