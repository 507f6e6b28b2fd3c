"""Vigil tasks: the booking confirmation with its calendar file, reminders, organisers' mail.

Each is idempotent: what it sends is claimed first with a conditional UPDATE (a time set
only where it was empty), so a second run of the same task finds nothing left to send. An
organisers' message writes its delivery rows once and the outbox sends them
(core/outbox.py, vigils/messages.py).
"""

import datetime
import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import outbox
from core.emails import queue_email
from core.mailing import (
    suppressed_addresses,
)
from core.time_zones import zone_or_utc
from vigils import calendars
from vigils.emails import manage_url
from vigils.models import SlotBooking, VigilMessage, VigilSignup
from vigils.slots import bookings_ics_bytes, slot_label, theme_for

logger = logging.getLogger(__name__)

DAY_BEFORE = datetime.timedelta(hours=24)
SOON_BEFORE = datetime.timedelta(minutes=15)
VIGIL_MESSAGE = "vigil_message"


def claim(bookings, field, now):
    """Set ``field`` to ``now`` where it is empty; return the bookings this run claimed."""
    ids = list(bookings.values_list("pk", flat=True))
    SlotBooking.objects.filter(pk__in=ids, **{f"{field}__isnull": True}).update(**{field: now})
    return (
        SlotBooking.objects.filter(pk__in=ids, **{field: now})
        .select_related("slot", "signup", "signup__vigil")
        .order_by("signup_id", "slot__starts_at")
    )


def slot_lines(signup, slots):
    zone = signup_zone(signup)
    themes = list(signup.vigil.themes.all())
    return [
        {
            "when": slot_label(slot, zone),
            "theme": theme_for(themes, slot.starts_at.astimezone(signup.vigil.zone)),
        }
        for slot in slots
    ]


def signup_zone(signup):
    return zone_or_utc(signup.time_zone)


@transaction.atomic  # the claim and its outbox row commit together
def send_booking_confirmation(signup_id, slot_ids):
    """ "You are signed up", with an .ics of the slots, once per booking."""
    now = timezone.now()
    bookings = SlotBooking.objects.filter(signup_id=signup_id, slot_id__in=slot_ids)
    claimed = list(claim(bookings, "confirmation_sent_at", now))
    if not claimed:
        return 0
    signup = claimed[0].signup
    if suppressed_addresses([signup.email]):
        return 0
    slots = [booking.slot for booking in claimed]
    link = manage_url(signup.pk, signup.link_version)
    queue_email(
        "prayer-vigil-booked",
        signup.email,
        {
            "vigil_title": signup.vigil.title,
            "vigil_url": signup.vigil.full_url,
            "slots": slot_lines(signup, slots),
            "time_zone": signup.time_zone,
            "manage_url": link,
            "display_name": signup.display_name,
        },
        attachments=[
            {
                "filename": "prayer-vigil.ics",
                "content": bookings_ics_bytes(signup, slots, link).decode(),
                "mimetype": "text/calendar",
            }
        ],
    )
    logger.info("Vigil sign-up %s: confirmation sent for %s slots", signup.pk, len(slots))
    return len(slots)


def due_reminders(now):
    confirmed = SlotBooking.objects.filter(signup__status=VigilSignup.Status.CONFIRMED)
    day = confirmed.filter(
        day_reminder_sent_at__isnull=True,
        slot__starts_at__gt=now + SOON_BEFORE,
        slot__starts_at__lte=now + DAY_BEFORE,
        # Only for places held when the 24-hour mark came, not ones taken after it.
        created_at__lte=F("slot__starts_at") - DAY_BEFORE,
    )
    soon = confirmed.filter(
        soon_reminder_sent_at__isnull=True,
        slot__starts_at__gt=now,
        slot__starts_at__lte=now + SOON_BEFORE,
        created_at__lte=F("slot__starts_at") - SOON_BEFORE,
    )
    return {"day_reminder_sent_at": day, "soon_reminder_sent_at": soon}


@transaction.atomic  # the claims and their outbox rows commit together
def send_due_reminders(now=None):
    """Reminders 24 hours and 15 minutes before each slot: never after it starts, never twice."""
    now = now or timezone.now()
    sent = 0
    for field, bookings in due_reminders(now).items():
        by_signup = defaultdict(list)
        for booking in claim(bookings, field, now):
            by_signup[booking.signup].append(booking.slot)
        if not by_signup:
            continue
        suppressed = suppressed_addresses([signup.email for signup in by_signup])
        for signup, slots in by_signup.items():
            if signup.email in suppressed:
                continue
            queue_email(
                "prayer-vigil-reminder",
                signup.email,
                {
                    "soon": field == "soon_reminder_sent_at",
                    "vigil_title": signup.vigil.title,
                    "vigil_url": signup.vigil.full_url,
                    "slots": slot_lines(signup, slots),
                    "manage_url": manage_url(signup.pk, signup.link_version),
                },
            )
            sent += 1
    return sent


def send_vigil_message(message_id):
    """An organiser's message to everyone holding a slot: rows written once, then the
    outbox sends them in batches (vigils/messages.py); the number of rows written."""
    now = timezone.now()
    VigilMessage.objects.filter(pk=message_id, started_at__isnull=True).update(started_at=now)
    if VigilMessage.objects.filter(pk=message_id, finished_at__isnull=False).exists():
        return 0  # a rerun of a finished send
    created = outbox.start(VIGIL_MESSAGE, message_id)
    logger.info("Vigil message %s: %s deliveries", message_id, created)
    return created


def send_due_calendar_entries():
    return calendars.send_due_entries()
