"""Vigil tasks: the booking confirmation with its calendar file, reminders, organisers' mail.

Each is idempotent: what it sends is claimed first with a conditional UPDATE (a time set
only where it was empty), so a second run of the same task finds nothing left to send.
"""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F
from django.utils import timezone

from prayer.emails.vigils import manage_url, unsubscribe_url
from prayer.models import SlotBooking, VigilMessage, VigilSignup
from prayer.scheduling import zone_or_utc
from prayer.vigils import bookings_ics_bytes, slot_label, theme_for
from website.emails import build_message, render_email
from website.mailing import (
    batch_limit,
    merges_recipients,
    suppressed_addresses,
    unsubscribe_headers,
)

logger = logging.getLogger(__name__)

DAY_BEFORE = datetime.timedelta(hours=24)
SOON_BEFORE = datetime.timedelta(minutes=15)


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
    link = manage_url(signup.pk, signup.token_version)
    message = build_message(
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
    )
    message.attach("prayer-vigil.ics", bookings_ics_bytes(signup, slots, link), "text/calendar")
    message.send()
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
        with get_connection() as connection:
            for signup, slots in by_signup.items():
                if signup.email in suppressed:
                    continue
                message = build_message(
                    "prayer-vigil-reminder",
                    signup.email,
                    {
                        "soon": field == "soon_reminder_sent_at",
                        "vigil_title": signup.vigil.title,
                        "vigil_url": signup.vigil.full_url,
                        "slots": slot_lines(signup, slots),
                        "manage_url": manage_url(signup.pk, signup.token_version),
                    },
                )
                message.connection = connection
                message.send()
                sent += 1
    return sent


def send_vigil_message(message_id):
    """An organiser's message to everyone holding a slot, in batches, once."""
    now = timezone.now()
    if not VigilMessage.objects.filter(pk=message_id, started_at__isnull=True).update(
        started_at=now
    ):
        return 0  # another run has it
    vigil_message = VigilMessage.objects.select_related("vigil").get(pk=message_id)
    vigil = vigil_message.vigil
    recipients = list(
        VigilSignup.objects.filter(
            vigil=vigil,
            status=VigilSignup.Status.CONFIRMED,
            wants_organiser_email=True,
            bookings__isnull=False,
        )
        .distinct()
        .values_list("pk", "email", "token_version")
    )
    suppressed = suppressed_addresses([email for _, email, _ in recipients])
    recipients = [row for row in recipients if row[1] not in suppressed]
    subject, text, html = render_email(
        "prayer-vigil-message",
        {"vigil_title": vigil.title, "vigil_url": vigil.full_url, "body": vigil_message.body},
    )
    subject = vigil_message.subject
    with get_connection() as connection:
        size = batch_limit()
        for start in range(0, len(recipients), size):
            batch = recipients[start : start + size]
            for message in batch_messages(batch, subject, text, html):
                message.connection = connection
                message.send()
    VigilMessage.objects.filter(pk=message_id).update(
        finished_at=timezone.now(), recipient_count=len(recipients)
    )
    logger.info("Vigil message %s sent to %s people", message_id, len(recipients))
    return len(recipients)


def batch_messages(batch, subject, text, html):
    """One provider call per batch where the backend merges recipients (merge data keeps
    each address private); one message per person on other backends."""
    headers = {
        email: unsubscribe_headers(unsubscribe_url(pk, version)) for pk, email, version in batch
    }
    if merges_recipients():
        message = EmailMultiAlternatives(
            subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=list(headers)
        )
        message.attach_alternative(html, "text/html")
        message.merge_data = {email: {} for email in headers}
        message.merge_headers = headers
        return [message]
    messages = []
    for email, personal in headers.items():
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email],
            headers=personal,
        )
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return messages
