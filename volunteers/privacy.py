"""What the volunteers app holds about an address, for My Vigil, the data download and erasure
(the four functions `core.privacy` asks every app for).

A volunteer profile is one per address and can be linked to an account. Erasing goes through
`volunteers.erasure.anonymise_volunteer`, the one place that removes the person: future
sign-ups are cancelled first (their spots go to the waitlist), then the profile is anonymised
and keeps its sign-ups, attendance and hours for the statistics.
"""

from django.db.models import Prefetch

from core.privacy import Item, Link, Section, when
from volunteers.erasure import anonymise_volunteer
from volunteers.links import confirm_url, manage_url
from volunteers.models import SignUp, Volunteer
from volunteers.signups import link_to_account


def volunteers_of(addresses):
    signups = SignUp.objects.order_by("-shift__starts_at", "-pk")
    return (
        Volunteer.objects.not_anonymised()
        .filter(email__in=addresses)
        .prefetch_related(
            Prefetch("signups", queryset=signups.select_related("shift__opportunity")), "checks"
        )
        .order_by("email")
    )


def hours_served(volunteer):
    """Attended hours from the prefetched sign-ups (the property would ask the database)."""
    return sum(float(signup.hours_served) for signup in volunteer.signups.all())


def attach(user, addresses):
    """The verified address proves the profile; details typed with its sign-ups that are
    still waiting for their emailed link stay on those sign-ups (volunteers.signups)."""
    linked = link_to_account(Volunteer.objects.not_anonymised().filter(email__in=addresses), user)
    return {"volunteer_profiles": linked}


# My Vigil


def signup_status(signup):
    if signup.shift.status == signup.shift.Status.CANCELLED:
        return f"{signup.get_status_display()} (the shift was cancelled)"
    return signup.get_status_display()


def signup_item(signup):
    shift = signup.shift
    item = Item(
        title=shift.opportunity.title,
        status=signup_status(signup),
        details=[("When", shift.local_label)],
    )
    if signup.hours_served:
        item.details.append(("Hours served", f"{float(signup.hours_served):g}"))
    if signup.status == SignUp.Status.PENDING_EMAIL:
        if signup.pending_name:
            typed = ", ".join(filter(None, [signup.pending_name, str(signup.pending_phone)]))
            item.details.append(("Details given, not confirmed yet", typed))
        item.links.append(Link("Confirm this sign-up", confirm_url(signup)))
    return item


def check_item(check):
    if check.verified_on:
        status = f"Verified on {when(check.verified_on)}"
    else:
        status = "Waiting for a coordinator to verify it"
    expiry = when(check.expires_on) if check.expires_on else "Does not expire"
    return Item(title=check.get_kind_display(), status=status, details=[("Valid until", expiry)])


def sections(addresses, request):
    volunteers = list(volunteers_of(addresses))
    items = []
    for volunteer in volunteers:
        items.append(
            Item(
                title=f"Your volunteer profile ({volunteer.email})",
                details=[
                    ("Name", volunteer.name or "None yet"),
                    ("Phone", str(volunteer.phone) or "None"),
                    ("Hours served", f"{hours_served(volunteer):g}"),
                ],
                links=[Link("See, cancel or add to your calendar", manage_url(volunteer))],
            )
        )
        items.extend(signup_item(signup) for signup in volunteer.signups.all())
    found = [
        Section(
            key="volunteering",
            heading="Volunteering",
            items=items,
            empty="You have not signed up to volunteer.",
        )
    ]
    if volunteers:
        found.append(
            Section(
                key="safeguarding-checks",
                heading="Safeguarding checks",
                items=[
                    check_item(check)
                    for volunteer in volunteers
                    for check in volunteer.checks.all()
                ],
                empty="We hold no safeguarding check for you.",
            )
        )
    return found


# The data download


def signup_record(signup):
    return {
        "opportunity": signup.shift.opportunity.title,
        "shift": signup.shift.local_label,
        "status": signup_status(signup),
        "attendance": signup.get_attendance_display(),
        "hours_served": float(signup.hours_served),
        "signed_up_at": signup.created_at,
        "email_confirmed_at": signup.email_confirmed_at,
        "confirmed_at": signup.confirmed_at,
        "waitlisted_at": signup.waitlisted_at,
        "cancelled_at": signup.cancelled_at,
        "cancelled_by": signup.get_cancelled_by_display(),
        "details_given_waiting_for_the_emailed_link": (
            {"name": signup.pending_name, "phone": str(signup.pending_phone)}
            if signup.pending_name or signup.pending_phone
            else None
        ),
    }


def check_record(check):
    return {
        "kind": check.get_kind_display(),
        "certificate_number": check.reference,
        "verified_on": check.verified_on,
        "expires_on": check.expires_on,
        "recorded_at": check.created_at,
    }


def volunteer_record(volunteer):
    return {
        "email": volunteer.email,
        "name": volunteer.name,
        "phone": str(volunteer.phone),
        "confirmed_age_at_least": volunteer.confirmed_age,
        "coordinator_notes": volunteer.notes,
        "created_at": volunteer.created_at,
        "address_proven_at": volunteer.address_proven_at,
        "hours_served": hours_served(volunteer),
        "signups": [signup_record(signup) for signup in volunteer.signups.all()],
        "safeguarding_checks": [check_record(check) for check in volunteer.checks.all()],
    }


def export(addresses):
    return {"volunteering": [volunteer_record(volunteer) for volunteer in volunteers_of(addresses)]}


# Erasure


def erase(addresses, now):
    volunteers = list(Volunteer.objects.not_anonymised().filter(email__in=addresses))
    cancelled = (
        SignUp.objects.active().filter(volunteer__in=volunteers, shift__starts_at__gt=now).count()
    )
    anonymised = sum(anonymise_volunteer(volunteer, now=now) for volunteer in volunteers)
    return {
        "volunteer_signups_cancelled": cancelled,
        "volunteer_profiles_anonymised": anonymised,
    }
