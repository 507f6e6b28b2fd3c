"""The one gate for an opportunity's exact address.

Everything that shows the address (the opportunity page for a signed-in volunteer, the
volunteer's sign-up page, emails, the private calendar feed and per-volunteer calendar files)
asks here. Public surfaces never ask, and tests plant a canary address to prove it.
"""

from volunteers.models import SignUp


def can_see_exact_address(volunteer, opportunity, signup=None):
    """True when `volunteer` holds a confirmed sign-up for this opportunity.

    Confirmed already implies cleared where a check is required (uncleared sign-ups wait as
    "pending clearance", and an expired check moves them back there); the clearance is
    checked again here so a stale status can never leak the address.

    `signup`: the volunteer's sign-up in hand as it is stored now (just read, or just saved
    in this transaction, as a placement under the shift's lock is): if it is that confirmed
    sign-up it answers without reading it back.
    """
    if volunteer is None or opportunity is None:
        return False
    if (
        signup is not None
        and signup.status == SignUp.Status.CONFIRMED
        and signup.volunteer_id == volunteer.pk
        and signup.shift.opportunity_id == opportunity.pk
        and (
            not opportunity.requires_safeguarding_check
            or volunteer.is_cleared_on(signup.shift.local_starts_at.date())
        )
    ):
        return True
    confirmed = SignUp.objects.filter(
        volunteer=volunteer, shift__opportunity_id=opportunity.pk, status=SignUp.Status.CONFIRMED
    )
    if not opportunity.requires_safeguarding_check:
        # Asked while a sign-up holds its shift's lock: one narrow query, nothing built.
        return confirmed.exists()
    for other in confirmed.select_related("shift"):
        if volunteer.is_cleared_on(other.shift.local_starts_at.date()):
            return True
    return False


def exact_address(volunteer, opportunity, signup=None):
    """The address when the gate allows it, else an empty string (`signup`: see
    can_see_exact_address)."""
    if opportunity.exact_address and can_see_exact_address(volunteer, opportunity, signup):
        return opportunity.exact_address
    return ""


def exact_address_for_user(user, opportunity):
    from volunteers.signups import volunteer_of_user

    if not user.is_authenticated:
        return ""
    return exact_address(volunteer_of_user(user), opportunity)
