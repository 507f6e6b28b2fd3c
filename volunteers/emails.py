"""What the volunteers app sends to one volunteer, written to the outbox with the change.

Service functions (`volunteers.signups`, `volunteers.coordination`) call `notify()` inside
their transactions: the email is a core.OutboundEmail row committed with the sign-up's new
state (a rolled-back change sends nothing), and the outbox sends it once that commits,
skipping it if the sign-up has moved on by then (`still_wanted`).
"""

import logging

from django.conf import settings

from core.emails import queue_email

logger = logging.getLogger(__name__)

# kind -> template name under templates/emails/
TEMPLATES = {
    "pending_email": "volunteers-confirm-signup",
    "confirmed": "volunteers-signup-confirmed",
    "promoted": "volunteers-promoted",
    "waitlisted": "volunteers-waitlisted",
    "pending_clearance": "volunteers-pending-clearance",
    "clearance-expired": "volunteers-clearance-expired",
    "cancelled": "volunteers-signup-cancelled",
    "reminder-day-before": "volunteers-reminder",
    "reminder-morning": "volunteers-reminder",
    "shift-changed": "volunteers-shift-changed",
    "shift-cancelled": "volunteers-shift-cancelled",
}
# kind -> the statuses a sign-up must still have for the email to make sense.
STILL_TRUE = {
    "pending_email": {"pending_email"},
    "confirmed": {"confirmed"},
    "promoted": {"confirmed"},
    "waitlisted": {"waitlisted"},
    "pending_clearance": {"pending_clearance"},
    "clearance-expired": {"pending_clearance"},
    "reminder-day-before": {"confirmed"},
    "reminder-morning": {"confirmed"},
}
CALENDAR = "text/calendar"
# Emails that carry the shift as an .ics attachment.
WITH_CALENDAR = {
    "confirmed",
    "promoted",
    "reminder-day-before",
    "reminder-morning",
    "shift-changed",
    "shift-cancelled",
}


def queue_signup_email(signup_id, kind, signup=None, fixed=None, position=None):
    """Write the email about the sign-up to the outbox, in the current transaction (core.emails.
    queue_email); the kind, or None when it makes no sense (any more). The outbox checks again
    when it sends (`still_wanted`), so a late retry never contradicts a newer email.

    A caller that holds the sign-up as it just saved it (with its volunteer, shift and
    opportunity) passes it as `signup`, and `fixed_context()` made before the shift was locked
    as `fixed`, with the waitlist `position` it found under the lock: nothing is read again.
    """
    from volunteers.calendars import signup_calendar

    if signup is None:
        signup = load_signup(signup_id)
    if not wanted(signup, kind):
        logger.info("Skipped %s email for sign-up %s", kind, signup_id)
        return None
    context = signup_context(signup, kind, fixed=fixed, position=position)
    attachments = []
    if kind in WITH_CALENDAR:
        calendar = signup_calendar(signup, address=context["exact_address"]).decode()
        attachments.append({"filename": "shift.ics", "content": calendar, "mimetype": CALENDAR})
    queue_email(
        TEMPLATES[kind],
        signup.volunteer.email,
        context,
        kind=outbox_kind(kind),
        about=str(signup.pk),
        attachments=attachments,
    )
    return kind


def notify(signup, kind):
    """Email the volunteer about `signup` (kind: a status or a key of TEMPLATES)."""
    queue_signup_email(signup.pk, kind)


def notify_placed(signup, fixed=None, position=None):
    """Email the volunteer about the placement just saved (`volunteers.signups.place`), from the
    sign-up in hand: the caller holds the shift's lock, so nothing is read that it knows."""
    queue_signup_email(signup.pk, signup.status, signup=signup, fixed=fixed, position=position)


def outbox_kind(kind):
    return f"volunteers:{kind}"


def load_signup(signup_id):
    from volunteers.models import SignUp

    return (
        SignUp.objects.select_related("volunteer", "shift__opportunity")
        .filter(pk=signup_id)
        .first()
    )


def wanted(signup, kind, now=None):
    """Whether the email still makes sense: the volunteer is still there, the sign-up still
    has the status it announces, a reminder's shift has not started."""
    if signup is None or kind not in TEMPLATES or signup.volunteer.anonymised_at:
        return False
    if kind in STILL_TRUE and signup.status not in STILL_TRUE[kind]:
        return False
    return not (kind.startswith("reminder") and signup.shift.has_started(now))


def still_wanted(kind, about):
    """The outbox's check at send time (registered in VolunteersConfig.ready())."""
    return about.isdigit() and wanted(load_signup(int(about)), kind)


def shift_context(shift):
    """Plain data about a shift for any volunteer email (public details only)."""
    opportunity = shift.opportunity
    return {
        "opportunity": opportunity.title,
        "role": opportunity.role,
        "area": opportunity.area,
        "shift_label": shift.local_label,
        "starts": shift.local_starts_at.strftime("%A %d %B %Y, %H:%M"),
        "ends": shift.local_ends_at.strftime("%H:%M"),
        "time_zone": shift.time_zone,
        "opportunity_url": settings.SITE_URL + (opportunity.url or "/"),
    }


def fixed_context(volunteer, shift):
    """What a volunteer's email about `shift` says whatever becomes of the sign-up: signed
    links and the shift's public details. Made before the shift is locked (signing and the
    page's URL take time); `signup_context` makes it again if the shift moved meanwhile."""
    from volunteers.links import feed_url, manage_url

    return {
        "manage_url": manage_url(volunteer),
        "feed_url": feed_url(volunteer),
        **shift_context(shift),
        FIXED_FOR: fixed_for(volunteer, shift),
    }


# The key in fixed_context() naming what it was made for; removed from the email's context.
FIXED_FOR = "_fixed_for"


def fixed_for(volunteer, shift):
    return [
        volunteer.pk,
        volunteer.link_version,
        volunteer.feed_version,
        shift.pk,
        shift.starts_at,
        shift.ends_at,
        shift.time_zone,
    ]


def signup_context(signup, kind, fixed=None, position=None):
    """Everything a sign-up email shows. The exact address comes only through the gate.

    `fixed`: fixed_context() made earlier for this volunteer and shift (made again here if
    either has changed since); `position`: the waitlist position, when the caller knows it."""
    from volunteers.access import exact_address
    from volunteers.links import confirm_url

    shift = signup.shift
    fixed = dict(fixed or {})
    if fixed.pop(FIXED_FOR, None) != fixed_for(signup.volunteer, shift):
        fixed = fixed_context(signup.volunteer, shift)
        del fixed[FIXED_FOR]
    context = {
        "kind": kind,
        # Asking to confirm, the greeting is what the form typed: it goes only to the address.
        "name": signup.pending_name or signup.volunteer.name,
        "status": signup.get_status_display(),
        **fixed,
    }
    if kind == "pending_email":
        context["confirm_url"] = confirm_url(signup)
    if signup.status == signup.Status.WAITLISTED:
        context["position"] = position or signup.waitlist_position()
    context["requires_check"] = shift.opportunity.requires_safeguarding_check
    # The sign-up was just read or saved: it is as stored.
    address = exact_address(signup.volunteer, shift.opportunity, signup)
    context["exact_address"] = address
    context["notes"] = shift.notes if address else ""
    return context


def coordinator_addresses():
    from django.contrib.auth import get_user_model

    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=COORDINATORS_GROUP)
        .exclude(email="")
    )
    return sorted({user.email for user in users})


COORDINATORS_GROUP = "Volunteer coordinators"
