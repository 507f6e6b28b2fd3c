"""A prayer calendar subscription's state changes: the sign-up (kept pending until the emailed
link is followed, unless the person's account already proves the address), the confirmation
and the one-click unsubscribe. Views call these and only render.
"""

import logging

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.utils import timezone

from vigils.models import CalendarSubscription

logger = logging.getLogger(__name__)


def is_verified_address(user, email):
    return (
        user.is_authenticated
        and EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
    )


def record_signup(calendar, email, choices, consent, now):
    """One row per calendar and address; a fresh link for a never-confirmed address gets its
    full week before the purge. Choices on an existing row change only when the new
    confirmation link is followed."""
    try:
        with transaction.atomic():
            return CalendarSubscription.objects.create(
                calendar=calendar, email=email, **choices, **consent
            )
    except IntegrityError:
        subscription = CalendarSubscription.objects.get(calendar=calendar, email=email)
        CalendarSubscription.objects.filter(
            pk=subscription.pk, status=CalendarSubscription.Status.PENDING
        ).update(created_at=now)
        return subscription


def activate(subscription_id, choices, now):
    CalendarSubscription.objects.filter(pk=subscription_id).update(
        status=CalendarSubscription.Status.ACTIVE,
        confirmed_at=now,
        unsubscribed_at=None,
        **choices,
    )


def unsubscribe(subscription):
    """RFC 8058 one-click: idempotent (the first time stands)."""
    CalendarSubscription.objects.filter(pk=subscription.pk, unsubscribed_at__isnull=True).update(
        status=CalendarSubscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now()
    )
    logger.info("Calendar subscription %s unsubscribed by link", subscription.pk)
