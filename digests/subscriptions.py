"""A subscription's state changes, each in one transaction with its row locked: the sign-up,
the confirmation, the preference centre's actions and the unsubscribe. Views call these and
only render; a row's choices wait in `pending_changes` until its owner follows the link.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from digests.models import Subscription
from digests.scheduling import next_digest_at

logger = logging.getLogger(__name__)

S = Subscription.Status

# What the preference centre's buttons do, and what it says after.
SAVED = "Your preferences are saved."
PAUSED = "Your updates are paused. Resume them here whenever you like."
RESUMED = "Your updates will start again."
UNSUBSCRIBED = "You are unsubscribed. We will not send you prayer updates."


def apply_preferences(subscription, preferences):
    for field in ("name", "frequency", "weekday", "time_zone", "wants_restricted"):
        if field in preferences:
            setattr(subscription, field, preferences[field])
    if "topics" in preferences:
        subscription.topics.set(preferences["topics"])


def schedule(subscription, now):
    if subscription.status == S.ACTIVE:
        subscription.next_digest_at = next_digest_at(subscription, now)
    else:
        subscription.next_digest_at = None


def record_signup(email, preferences, consent):
    """One row per address. What the form chose waits in `pending_changes` until the
    confirmation link is followed, on a new row as on a known one: whoever types an address
    has shown nothing, so until then the row holds no name or choice of theirs for staff to
    see, an account to inherit, or a digest to follow."""
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(
                email=email, status=S.PENDING, pending_changes=preferences, **consent
            )
            logger.info("Prayer subscription %s created, awaiting confirmation", subscription.pk)
            return subscription
    except IntegrityError:
        pass  # The address is already known: keep the new choices pending, below.
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(email=email)
        pending = {
            **preferences,
            "consent_at": consent["consent_at"].isoformat(),
            "consent_source": consent["consent_source"],
            "consent_ip": consent["consent_ip"],
        }
        subscription.pending_changes = pending
        update = ["pending_changes"]
        if subscription.status == S.PENDING:
            # Never confirmed: the seven days before it is purged start again.
            for field, value in consent.items():
                setattr(subscription, field, value)
            update += list(consent)
        subscription.save(update_fields=update)
    logger.info("Prayer subscription %s asked for changes, awaiting confirmation", subscription.pk)
    return subscription


def needs_confirming(subscription):
    return subscription.status == S.PENDING or subscription.pending_changes is not None


def activate(subscription, now):
    changes = subscription.pending_changes or {}
    apply_preferences(subscription, changes)
    if "consent_at" in changes:
        subscription.consent_at = parse_datetime(changes["consent_at"])
        subscription.consent_source = changes.get("consent_source", "")[:200]
        subscription.consent_ip = changes.get("consent_ip")
    subscription.pending_changes = None
    subscription.status = S.ACTIVE
    subscription.confirmed_at = now
    subscription.unsubscribed_at = None
    schedule(subscription, now)
    subscription.save()


def confirm(subscription):
    """The owner followed the link and pressed the button: what waited applies."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        activate(subscription, timezone.now())
    logger.info("Prayer subscription %s confirmed", subscription.pk)
    return subscription


def unsubscribe_now(subscription, now):
    subscription.status = S.UNSUBSCRIBED
    subscription.unsubscribed_at = now
    subscription.pending_changes = None
    subscription.next_digest_at = None


def change(subscription, action, form_for):
    """One preference-centre action on a confirmed subscription, under its lock.

    `form_for(subscription)` builds the bound preferences form for "save". Returns
    (subscription, form or None, message or None): no message when nothing changed (an
    invalid form, or an action that does not apply to the row's state).
    """
    form = None
    message = None
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        now = timezone.now()
        if action == "save":
            form = form_for(subscription)
            if form.is_valid():
                apply_preferences(subscription, form.preferences())
                # The latest choice wins over a sign-up still waiting for its link.
                subscription.pending_changes = None
                message = SAVED
        elif action == "pause" and subscription.status == S.ACTIVE:
            subscription.status = S.PAUSED
            message = PAUSED
        elif action == "resume" and subscription.status in (S.PAUSED, S.UNSUBSCRIBED):
            subscription.status = S.ACTIVE
            subscription.unsubscribed_at = None
            message = RESUMED
        elif action == "unsubscribe" and subscription.status != S.UNSUBSCRIBED:
            unsubscribe_now(subscription, now)
            message = UNSUBSCRIBED
        if message:
            schedule(subscription, now)
            subscription.save()
    if message:
        logger.info("Prayer subscription %s changed (%s)", subscription.pk, action)
    return subscription, form, message


def unsubscribe(subscription):
    """The one-click unsubscribe (RFC 8058): idempotent."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.status != S.UNSUBSCRIBED:
            unsubscribe_now(subscription, timezone.now())
            subscription.save()
    logger.info("Prayer subscription %s unsubscribed by link", subscription.pk)
    return subscription
