"""Tasks for prayer requests: the moderators' batched notification, and forgetting contacts."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from prayer.emails import moderation_summary, send_moderators_notification
from prayer.models import PrayerRequest

logger = logging.getLogger(__name__)

MODERATORS_GROUP = "Prayer moderators"


def moderator_addresses():
    users = get_user_model().objects.filter(groups__name=MODERATORS_GROUP, is_active=True)
    return sorted(
        {address.strip().lower() for address in users.values_list("email", flat=True) if address}
    )


def notify_moderators():
    """Email every moderator one list of the submissions nobody was told about yet.

    The submissions are claimed with one conditional UPDATE stamped with this run's time, so a
    second or concurrent run finds nothing left to claim and sends nothing.
    """
    waiting = PrayerRequest.objects.filter(
        status=PrayerRequest.Status.SUBMITTED, moderators_notified_at__isnull=True
    )
    if not waiting.exists():
        return 0
    addresses = moderator_addresses()
    if not addresses:
        logger.warning("Prayer requests wait for moderation, but no moderator has an address")
        return 0
    stamp = timezone.now()
    claimed = waiting.filter(pk__in=list(waiting.values_list("pk", flat=True))).update(
        moderators_notified_at=stamp
    )
    if not claimed:
        return 0
    batch = (
        PrayerRequest.objects.filter(
            moderators_notified_at=stamp, status=PrayerRequest.Status.SUBMITTED
        )
        .prefetch_related("topics")
        .order_by("created_at", "pk")
    )
    summary = moderation_summary(batch)
    send_moderators_notification(addresses, summary)
    logger.info("Told %d moderators about %d prayer requests", len(addresses), len(summary))
    return len(summary)


def forget_submitter_contacts():
    """Erase the name and address on requests moderated longer ago than the retention period.

    The request itself stays (it may be on the wall); only who sent it is forgotten, once
    any reply has had its time. Idempotent: a second run finds nothing left to erase.
    """
    cutoff = timezone.now() - datetime.timedelta(days=settings.RETENTION_PRAYER_CONTACT_DAYS)
    forgotten = (
        PrayerRequest.objects.filter(moderated_at__lt=cutoff)
        .exclude(submitter_name="", submitter_email="")
        .update(submitter_name="", submitter_email="", wants_reply=False)
    )
    if forgotten:
        logger.info("Forgot the submitter's contact details on %s prayer requests", forgotten)
    return forgotten
