"""What vigils send, and the signed links in it. Emails go out from tasks only."""

from django.urls import reverse
from django_q.tasks import async_task

from core.emails import queue_email
from core.mailing import absolute, may_receive_bulk
from core.signing import make_token

CONFIRM_PURPOSE = "vigil-confirm"
MANAGE_PURPOSE = "vigil-manage"
UNSUBSCRIBE_PURPOSE = "vigil-unsubscribe"
FEED_PURPOSE = "vigil-feed"  # a calendar app holds this link: it can read the slots, not cancel
CONFIRM_MAX_AGE = 3 * 24 * 60 * 60


def confirm_path(signup):
    token = make_token(CONFIRM_PURPOSE, signup.pk, signup.token_version)
    return reverse("prayer:vigil-confirm", args=[token])


def manage_path(signup_id, token_version):
    token = make_token(MANAGE_PURPOSE, signup_id, token_version)
    return reverse("prayer:vigil-manage", args=[token])


def manage_url(signup_id, token_version):
    return absolute(manage_path(signup_id, token_version))


def slots_feed_url(signup_id, token_version):
    """The person's slots as a calendar feed a phone can subscribe to (absolute, SITE_URL)."""
    token = make_token(FEED_PURPOSE, signup_id, token_version)
    return absolute(reverse("prayer:vigil-slots-feed", args=[token]))


def unsubscribe_url(signup_id, token_version):
    token = make_token(UNSUBSCRIBE_PURPOSE, signup_id, token_version)
    return absolute(reverse("prayer:vigil-unsubscribe", args=[token]))


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


def send_booking_confirmation(signup, slots):
    """The "you are signed up" email with a calendar file of the new slots."""
    return async_task(
        "prayer.tasks.vigils.send_booking_confirmation",
        signup.pk,
        [slot.pk for slot in slots],
        task_name="email:prayer-vigil-booked",
    )


def send_message_to_everyone(vigil_message):
    return async_task(
        "prayer.tasks.vigils.send_vigil_message",
        vigil_message.pk,
        task_name="email:prayer-vigil-message",
    )
