"""What prayer calendars send (the opt-in link here; daily entries from the task), and links."""

from urllib.parse import urlencode

from django.urls import reverse

from core.emails import queue_email
from core.mailing import absolute, may_receive_bulk
from core.signing import make_token

CONFIRM_PURPOSE = "calendar-confirm"
UNSUBSCRIBE_PURPOSE = "calendar-unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 60 * 60


def confirm_url(subscription):
    """The link carries the hour and zone asked for, applied only when it is followed."""
    token = make_token(CONFIRM_PURPOSE, subscription.pk, subscription.token_version)
    query = urlencode({"hour": subscription.hour, "tz": subscription.time_zone})
    return absolute(reverse("prayer:calendar-confirm", args=[token]) + "?" + query)


def unsubscribe_url(subscription_id, token_version):
    token = make_token(UNSUBSCRIBE_PURPOSE, subscription_id, token_version)
    return absolute(reverse("prayer:calendar-unsubscribe", args=[token]))


def send_confirm_link(subscription):
    if not may_receive_bulk(subscription.email):
        return None
    context = {
        "calendar_title": subscription.calendar.title,
        "calendar_url": subscription.calendar.full_url,
        "confirm_url": confirm_url(subscription),
        "hour": f"{subscription.hour:02d}:00",
        "time_zone": subscription.time_zone,
    }
    return queue_email("prayer-calendar-confirm", subscription.email, context)
