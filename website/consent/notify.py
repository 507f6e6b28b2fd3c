"""Tell the staff who look after the content that it was taken down: one email per take-down.

Stories and photos go to Editors, prayer requests to Prayer moderators, so nobody hears about
content their group does not see. Take-downs are claimed with one conditional UPDATE committed
with the emails (outbox rows), so a second or concurrent run finds nothing left and sends
nothing, and a killed run leaves the take-downs to the next.
The email names the content, never the person who gave consent.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from core.emails import queue_email
from website.consent.links import content_edit_url, record_edit_url
from website.models.consent import PRAYER_REQUEST, ConsentRecord

logger = logging.getLogger(__name__)

# group -> the take-downs it is told about, and where its consent records are managed
AUDIENCES = {
    "Editors": (Q(target=""), "consent_editorial"),
    "Prayer moderators": (Q(target=PRAYER_REQUEST), "consent_prayer"),
}


def group_addresses(group):
    users = get_user_model().objects.filter(groups__name=group, is_active=True)
    return sorted(
        {address.strip().lower() for address in users.values_list("email", flat=True) if address}
    )


def take_down_summary(records):
    """Plain data for the email: what went, why, and where to look."""
    return [
        {
            "kind": record.content_kind,
            "title": str(record.content),
            "reason": record.end_reason,
            "ended_on": date_format(record.ends_on, "j F Y"),
            "edit_url": settings.SITE_URL + content_edit_url(record),
            "consent_url": settings.SITE_URL + record_edit_url(record),
        }
        for record in records
    ]


def notify_staff_of_take_downs():
    """Email each group the take-downs nobody told it about yet; how many were reported."""
    reported = 0
    for group, (condition, namespace) in AUDIENCES.items():
        waiting = ConsentRecord.objects.filter(
            condition, taken_down_at__isnull=False, staff_notified_at__isnull=True
        )
        if not waiting.exists():
            continue
        addresses = group_addresses(group)
        if not addresses:
            logger.warning("Content was taken down, but nobody in %s has an address", group)
            continue
        stamp = timezone.now()
        # The claim and the emails commit together (outbox rows): a worker killed between
        # them leaves neither, and the next run tells the group.
        with transaction.atomic():
            claimed = waiting.filter(pk__in=list(waiting.values_list("pk", flat=True))).update(
                staff_notified_at=stamp
            )
            if not claimed:
                continue
            batch = (
                ConsentRecord.objects.filter(condition, staff_notified_at=stamp)
                .with_content()
                .order_by("taken_down_at", "pk")
            )
            summary = take_down_summary(batch)
            list_url = settings.SITE_URL + reverse(f"{namespace}:index")
            for address in addresses:
                queue_email(
                    "consent-taken-down",
                    address,
                    {"items": summary, "count": len(summary), "list_url": list_url},
                )
        logger.info("Told %d of %s about %d take-downs", len(addresses), group, len(summary))
        reported += len(summary)
    return reported
