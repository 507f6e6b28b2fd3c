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


def queue_signup_email(signup_id, kind):
    """Write the email about the sign-up to the outbox, in the current transaction (core.emails.
    queue_email); the kind, or None when it makes no sense (any more). The outbox checks again
    when it sends (`still_wanted`), so a late retry never contradicts a newer email."""
    from volunteers.calendars import signup_calendar

    signup = load_signup(signup_id)
    if not wanted(signup, kind):
        logger.info("Skipped %s email for sign-up %s", kind, signup_id)
        return None
    attachments = []
    if kind in WITH_CALENDAR:
        calendar = signup_calendar(signup).decode()
        attachments.append({"filename": "shift.ics", "content": calendar, "mimetype": CALENDAR})
    queue_email(
        TEMPLATES[kind],
        signup.volunteer.email,
        signup_context(signup, kind),
        kind=outbox_kind(kind),
        about=str(signup.pk),
        attachments=attachments,
    )
    return kind


def notify(signup, kind):
    """Email the volunteer about `signup` (kind: a status or a key of TEMPLATES)."""
    queue_signup_email(signup.pk, kind)


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


def signup_context(signup, kind):
    """Everything a sign-up email shows. The exact address comes only through the gate."""
    from volunteers.access import exact_address
    from volunteers.links import confirm_url, feed_url, manage_url

    shift = signup.shift
    context = {
        "kind": kind,
        # Asking to confirm, the greeting is what the form typed: it goes only to the address.
        "name": signup.pending_name or signup.volunteer.name,
        "status": signup.get_status_display(),
        "manage_url": manage_url(signup.volunteer),
        "feed_url": feed_url(signup.volunteer),
        **shift_context(shift),
    }
    if kind == "pending_email":
        context["confirm_url"] = confirm_url(signup)
    if signup.status == signup.Status.WAITLISTED:
        context["position"] = signup.waitlist_position()
    context["requires_check"] = shift.opportunity.requires_safeguarding_check
    address = exact_address(signup.volunteer, shift.opportunity)
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
