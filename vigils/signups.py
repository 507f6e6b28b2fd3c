"""A vigil sign-up's state changes, each in one transaction: the request kept until the email
link is followed, the places taken (with the "you are signed up" email, in the same
transaction) for a signed-in person with a verified address or when the link is followed, and
stopping the organisers' messages. Views call these and only render.

Places themselves are taken and given back in vigils/slots.py (all or none, one conditional
UPDATE per slot).
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from vigils.models import VigilSignup
from vigils.slots import book_slots
from vigils.tasks import send_booking_confirmation

logger = logging.getLogger(__name__)


class AlreadyConfirmed(Exception):
    """A second click found the sign-up confirmed by the first."""


def signup_zone(details):
    return details.get("time_zone") or "UTC"


# A request waiting for its email link holds at most this many slots (a day of 15 minutes).
MAX_PENDING_SLOTS = 96


def record_pending(vigil, email, slots, details):
    """Keep the request until the email link is followed.

    A long vigil is shown a day at a time, so people sign up day by day: a second request
    before the link is followed adds its slots to the first (its name and zone win), and the
    link, whichever email it came in, confirms every day's slots, listed before the button.
    """
    wanted = [slot.starts_at.isoformat() for slot in slots]
    request = {**details, "slots": wanted}
    try:
        with transaction.atomic():
            signup = VigilSignup.objects.create(
                vigil=vigil, email=email, pending_request=request, time_zone=signup_zone(details)
            )
    except IntegrityError:
        with transaction.atomic():
            signup = VigilSignup.objects.select_for_update().get(vigil=vigil, email=email)
            earlier = (signup.pending_request or {}).get("slots") or []
            merged = wanted + [start for start in earlier if start not in wanted]
            request["slots"] = sorted(merged[:MAX_PENDING_SLOTS])
            signup.pending_request = request
            VigilSignup.objects.filter(pk=signup.pk).update(pending_request=request)
            # A fresh link for a never-confirmed address gets its full time before the purge.
            VigilSignup.objects.filter(pk=signup.pk, status=VigilSignup.Status.PENDING).update(
                created_at=timezone.now()
            )
    logger.info("Vigil sign-up %s waiting for confirmation", signup.pk)
    return signup


def sign_up_verified(vigil, email, user, slots, details):
    """A signed-in person with this verified address takes the places at once.

    Returns (signup, booked slots). Raises SlotsUnavailable when one is full or gone (nothing
    is taken), IntegrityError when another sign-up of theirs was saved at the same moment.
    """
    with transaction.atomic():
        signup, _ = VigilSignup.objects.get_or_create(
            vigil=vigil,
            email=email,
            defaults={"status": VigilSignup.Status.CONFIRMED, "confirmed_at": timezone.now()},
        )
        booked = book_slots(signup, slots)
        VigilSignup.objects.filter(pk=signup.pk).update(
            user=user,
            status=VigilSignup.Status.CONFIRMED,
            confirmed_at=signup.confirmed_at or timezone.now(),
            **details,
        )
        confirm_bookings(signup, booked)
    return signup, booked


def confirm(signup, slots, zone):
    """The link was followed and the button pressed: take the places that waited.

    Returns the slots booked. Raises AlreadyConfirmed when a double-click finds it done,
    SlotsUnavailable or IntegrityError as `sign_up_verified` does.
    """
    with transaction.atomic():
        # One click at a time per person: a double-click waits here, then finds it done.
        locked = VigilSignup.objects.select_for_update().get(pk=signup.pk)
        if locked.pending_request is None:
            raise AlreadyConfirmed
        booked = book_slots(signup, slots)
        details = locked.pending_request
        VigilSignup.objects.filter(pk=signup.pk).update(
            status=VigilSignup.Status.CONFIRMED,
            confirmed_at=signup.confirmed_at or timezone.now(),
            display_name=details.get("display_name", "")[:60],
            time_zone=zone.key,
            pending_request=None,
        )
        confirm_bookings(signup, booked)
    logger.info("Vigil sign-up %s confirmed", signup.pk)
    return booked


def confirm_bookings(signup, booked):
    """The "you are signed up" email with a calendar file of the new slots: an outbox row
    written in the booking's transaction, so a booking is never left without it."""
    if booked:
        send_booking_confirmation(signup.pk, [slot.pk for slot in booked])


def stop_organiser_messages(signup):
    """RFC 8058 one-click: idempotent. Reminders for one's own slots go on."""
    VigilSignup.objects.filter(pk=signup.pk).update(wants_organiser_email=False)
    logger.info("Vigil sign-up %s unsubscribed from organiser messages", signup.pk)
