"""What the volunteers app sends, queued for the task cluster once the data is committed.

Service functions (`volunteers.signups`, `volunteers.coordination`) call `notify()` inside
their transactions; core.tasks.enqueue hands the email to the cluster only when the
transaction commits, so a task never reads a sign-up that was rolled back or not yet
committed.
"""

import functools

from django.conf import settings
from django_q.brokers import get_broker

from core.tasks import enqueue

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
# Emails that carry the shift as an .ics attachment.
WITH_CALENDAR = {
    "confirmed",
    "promoted",
    "reminder-day-before",
    "reminder-morning",
    "shift-changed",
    "shift-cancelled",
}


@functools.cache
def task_broker():
    """One broker connection per process (django-q2 opens a new one per task otherwise)."""
    return get_broker()


def queue_signup_email(signup_id, kind):
    enqueue(
        "volunteers.tasks.send_signup_email",
        signup_id,
        kind,
        task_name=f"volunteers:{kind}",
        broker=task_broker(),
    )


def notify(signup, kind):
    """Email the volunteer about `signup` (kind: a status or a key of TEMPLATES)."""
    queue_signup_email(signup.pk, kind)


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
