"""Scheduled upkeep of prayer subscriptions."""

import datetime
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from prayer.models import Subscription

logger = logging.getLogger(__name__)


def purge_unconfirmed_subscriptions():
    """Delete sign-ups not confirmed within RETENTION_UNCONFIRMED_DAYS of their latest request.

    Idempotent: a second run finds nothing left to delete.
    """
    cutoff = timezone.now() - datetime.timedelta(days=settings.RETENTION_UNCONFIRMED_DAYS)
    stale = Subscription.objects.filter(
        status=Subscription.Status.PENDING, confirmed_at__isnull=True
    ).filter(Q(consent_at__lt=cutoff) | Q(consent_at__isnull=True, created_at__lt=cutoff))
    _, per_model = stale.delete()
    deleted = per_model.get(Subscription._meta.label, 0)
    if deleted:
        logger.info("Purged %s unconfirmed prayer subscriptions", deleted)
    return deleted
