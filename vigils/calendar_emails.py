"""What prayer calendars send (the opt-in link here; daily entries from the task), and links."""

from urllib.parse import urlencode

from core.emails import queue_email
from core.mailing import may_receive_bulk
from core.signing import SignedLink

CONFIRM_PURPOSE = "calendar-confirm"
UNSUBSCRIBE_PURPOSE = "calendar-unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 60 * 60

CONFIRM = SignedLink(
    CONFIRM_PURPOSE,
    "vigils.CalendarSubscription",
    "vigils:calendar-confirm",
    max_age=CONFIRM_MAX_AGE,
)
UNSUBSCRIBE = SignedLink(
    UNSUBSCRIBE_PURPOSE,
    "vigils.CalendarSubscription",
    "vigils:calendar-unsubscribe",
)


def confirm_url(subscription):
    """The link carries the hour and zone asked for, applied only when it is followed."""
    query = urlencode({"hour": subscription.hour, "tz": subscription.time_zone})
    return CONFIRM.url_for(subscription) + "?" + query


def unsubscribe_url(subscription_id, link_version):
    return UNSUBSCRIBE.url(subscription_id, link_version)


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
