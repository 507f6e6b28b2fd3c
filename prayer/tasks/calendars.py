"""Prayer calendar tasks: the 15-minute run that sends each day's entry, and a daily purge.

Both are idempotent: a second run finds nothing left to send or to delete.
"""

import datetime
import logging

from django.conf import settings
from django.utils import timezone

from prayer import calendars
from prayer.models import CalendarSubscription

logger = logging.getLogger(__name__)


def send_due_calendar_entries():
    return calendars.send_due_entries()


def purge_unconfirmed_calendar_subscriptions(now=None):
    """Addresses not confirmed within RETENTION_UNCONFIRMED_DAYS are not kept."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.RETENTION_UNCONFIRMED_DAYS)
    deleted, _ = CalendarSubscription.objects.filter(
        status=CalendarSubscription.Status.PENDING, created_at__lt=cutoff
    ).delete()
    if deleted:
        logger.info("Purged %s unconfirmed calendar subscriptions", deleted)
    return deleted
