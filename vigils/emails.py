"""What vigils send, and the signed links in it. Emails go out from tasks only."""

from core.emails import queue_email
from core.mailing import absolute, may_receive_bulk
from core.signing import SignedLink
from core.tasks import enqueue

CONFIRM_PURPOSE = "vigil-confirm"
MANAGE_PURPOSE = "vigil-manage"
UNSUBSCRIBE_PURPOSE = "vigil-unsubscribe"
FEED_PURPOSE = "vigil-feed"  # a calendar app holds this link: it can read the slots, not cancel
CONFIRM_MAX_AGE = 3 * 24 * 60 * 60


def _signup_link(purpose, route, max_age=None):
    return SignedLink(purpose, "vigils.VigilSignup", route, max_age=max_age)


CONFIRM = _signup_link(CONFIRM_PURPOSE, "vigils:vigil-confirm", CONFIRM_MAX_AGE)
MANAGE = _signup_link(MANAGE_PURPOSE, "vigils:vigil-manage")
UNSUBSCRIBE = _signup_link(UNSUBSCRIBE_PURPOSE, "vigils:vigil-unsubscribe")
FEED = _signup_link(FEED_PURPOSE, "vigils:vigil-slots-feed")


def confirm_path(signup):
    return CONFIRM.path_for(signup)


def manage_path(signup_id, link_version):
    return MANAGE.path(signup_id, link_version)


def manage_url(signup_id, link_version):
    return MANAGE.url(signup_id, link_version)


def slots_feed_url(signup_id, link_version):
    """The person's slots as a calendar feed a phone can subscribe to (absolute, SITE_URL)."""
    return FEED.url(signup_id, link_version)


def unsubscribe_url(signup_id, link_version):
    return UNSUBSCRIBE.url(signup_id, link_version)


def send_confirm_link(signup, slot_labels):
    """Ask someone without an account to confirm their address before any slot is theirs."""
    if not may_receive_bulk(signup.email):
        return None
    context = {
        "vigil_title": signup.vigil.title,
        "confirm_url": absolute(confirm_path(signup)),
        "slots": slot_labels,
        "time_zone": signup.time_zone,
    }
    return queue_email("prayer-vigil-confirm", signup.email, context)


def send_message_to_everyone(vigil_message):
    enqueue(
        "vigils.tasks.send_vigil_message",
        vigil_message.pk,
        task_name="email:prayer-vigil-message",
    )
