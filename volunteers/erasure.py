"""Anonymising a volunteer: the one place that removes the person and keeps the statistics.

Used when someone deletes their account and by retention (after a warning, once a profile has
been inactive too long). What goes: name, email address, phone, coordinator notes, the name
and phone typed with sign-ups still waiting for their emailed link, the link to the user
account, every safeguarding check (certificate numbers identify a person, and no statistic
needs them), and every emailed link and calendar feed (their versions are raised).
What stays: the profile row and its sign-ups with attendance and hours, so sign-up counts and
hours served still add up, and nobody can be recognised from them.
"""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from volunteers.models import SafeguardingCheck, SignUp, Volunteer
from volunteers.signups import cancel

logger = logging.getLogger(__name__)

ANONYMOUS_NAME = "Former volunteer"


def anonymised_email(volunteer_id):
    """A unique address that can never be delivered (.example is reserved, RFC 2606)."""
    return f"anonymised-{volunteer_id}@invalid.example"


def cancel_future_signups(volunteer, now=None):
    """Cancel the volunteer's sign-ups for shifts that have not started, so each spot goes to
    the waitlist through the usual code. The volunteer is not emailed about it."""
    now = now or timezone.now()
    future = (
        SignUp.objects.active()
        .filter(volunteer=volunteer, shift__starts_at__gt=now)
        .values_list("pk", flat=True)
    )
    for signup_id in list(future):
        cancel(signup_id, by=SignUp.CancelledBy.VOLUNTEER, now=now, notify_volunteer=False)


def anonymise_volunteer(volunteer, now=None):
    """Remove the person from `volunteer`. Idempotent: False when it had already been done."""
    now = now or timezone.now()
    cancel_future_signups(volunteer, now)
    with transaction.atomic():
        done = Volunteer.objects.filter(pk=volunteer.pk, anonymised_at__isnull=True).update(
            name=ANONYMOUS_NAME,
            email=anonymised_email(volunteer.pk),
            phone="",
            notes="",
            user=None,
            confirmed_age=0,
            link_version=F("link_version") + 1,
            feed_version=F("feed_version") + 1,
            kept_details_at=None,
            inactivity_warning_sent_at=None,
            anonymised_at=now,
        )
        if done:
            SafeguardingCheck.objects.filter(volunteer_id=volunteer.pk).delete()
            # Cancelling clears what was typed with a waiting sign-up; this catches any left.
            SignUp.objects.filter(volunteer_id=volunteer.pk).exclude(
                pending_name="", pending_phone=""
            ).update(pending_name="", pending_phone="")
    if done:
        # A sign-up placed while the first pass ran (the form was already submitted) would
        # otherwise keep a spot for someone who has left.
        cancel_future_signups(volunteer, now)
        logger.info("Volunteer %s anonymised", volunteer.pk)
    volunteer.refresh_from_db()
    return bool(done)
