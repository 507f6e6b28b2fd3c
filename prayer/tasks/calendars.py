"""Prayer calendar tasks: the 15-minute run that sends each day's entry, and a daily purge.

Both are idempotent: a second run finds nothing left to send or to delete.
"""

import datetime

from django.utils import timezone

from prayer import calendars
from prayer.emails.calendars import CONFIRM_MAX_AGE
from prayer.models import CalendarSubscription


def send_due_calendar_entries():
    return calendars.send_due_entries()


def purge_unconfirmed_calendar_subscriptions(now=None):
    """Addresses whose confirmation link expired unused are not kept."""
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=CONFIRM_MAX_AGE)
    deleted, _ = CalendarSubscription.objects.filter(
        status=CalendarSubscription.Status.PENDING, created_at__lt=cutoff
    ).delete()
    return deleted
