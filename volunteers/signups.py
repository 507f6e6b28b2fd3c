"""Placing, cancelling and promoting sign-ups: the only code that moves `confirmed_count`.

Every change locks the shift row first (then the sign-up), so concurrent sign-ups for the
last spot queue on that lock and exactly one is confirmed; the check constraint
`shift_never_overbooked` refuses anything that slipped past. `select_for_update` does
nothing on SQLite, where transactions are serialised anyway (IMMEDIATE mode).
"""

import datetime
import logging

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, Max, Q, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from core.mailing import normalise_email
from volunteers.emails import fixed_context, notify, notify_placed
from volunteers.models import Shift, SignUp, Volunteer

logger = logging.getLogger(__name__)

Status = SignUp.Status


class SignUpRefused(Exception):
    """A sign-up that cannot go ahead, with a message for the volunteer."""


CLOSED = "Sign-up for this shift has closed."
CANCELLED_SHIFT = "This shift has been cancelled."
ALREADY = "You are already signed up for this shift."

# What a public form typed, held on its sign-up until the emailed link is followed.
TYPED_FIELDS = ("pending_name", "pending_phone")


def lock_shift(shift_id, opportunity=None):
    """The shift row, locked until the transaction ends. Pass the opportunity when it is at
    hand: a page row is wide, and reading it again under the lock only lengthens the wait."""
    if opportunity is not None:
        shift = Shift.objects.select_for_update().get(pk=shift_id)
        shift.opportunity = opportunity
        return shift
    return (
        Shift.objects.select_for_update(of=("self",)).select_related("opportunity").get(pk=shift_id)
    )


def ensure_open(shift, now):
    if shift.status == Shift.Status.CANCELLED:
        raise SignUpRefused(CANCELLED_SHIFT)
    if not shift.is_open(now):
        raise SignUpRefused(CLOSED)


def overlapping_signup(volunteer, shift):
    """The volunteer's sign-up for another shift at the same time, if any."""
    return (
        SignUp.objects.holding_place()
        .filter(
            volunteer=volunteer,
            shift__status=Shift.Status.SCHEDULED,
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        )
        .exclude(shift_id=shift.pk)
        .select_related("shift__opportunity")
        .first()
    )


def ensure_no_overlap(volunteer, shift):
    other = overlapping_signup(volunteer, shift)
    if other is not None:
        raise SignUpRefused(overlap_message(other))


def overlap_message(other):
    return (
        f"This shift overlaps another you are signed up for: {other.shift.opportunity.title}, "
        f"{other.shift.local_label}. Cancel that one first if you would rather do this one."
    )


def ensure_old_enough(volunteer, shift, age_confirmed):
    minimum = shift.opportunity.minimum_age
    if volunteer.confirmed_age >= minimum:
        return
    if not age_confirmed:
        raise SignUpRefused(f"Please confirm that you are at least {minimum} years old.")
    Volunteer.objects.filter(pk=volunteer.pk).update(confirmed_age=minimum)
    volunteer.confirmed_age = minimum


def needs_clearance(volunteer, shift):
    return shift.opportunity.requires_safeguarding_check and not volunteer.is_cleared_on(
        shift.local_starts_at.date()
    )


def place(signup, shift, now, fixed=None):
    """Confirm, waitlist or hold for clearance, and write its email to the outbox. The caller
    holds the shift's lock (`fixed`: the email's `fixed_context`, made before it took it)."""
    position = None
    if needs_clearance(signup.volunteer, shift):
        signup.status = Status.PENDING_CLEARANCE
    elif shift.confirmed_count < shift.capacity:
        take_spot(signup, shift, now)
    else:
        position = join_waitlist(signup, shift, now)
    signup.save()
    signup.placed_position = position
    notify_placed(signup, fixed=fixed, position=position)
    logger.info("Sign-up %s on shift %s: %s", signup.pk, shift.pk, signup.status)
    return signup


def join_waitlist(signup, shift, now):
    """Put the sign-up last on the waitlist; its position. The caller holds the shift's lock.

    The waitlist's order is (`waitlisted_at`, id). A request's `now` is when it started, not
    when it got the lock: stamped with it, a sign-up that waited longer for the lock would
    go ahead of one placed before it, and the position it was told would be wrong for those.
    So the stamp is later than any on the waitlist: the order is the order of placement."""
    waiting = SignUp.objects.filter(shift_id=shift.pk, status=Status.WAITLISTED).aggregate(
        count=Count("pk"), last=Max("waitlisted_at")
    )
    last = waiting["last"]
    signup.status = Status.WAITLISTED
    signup.waitlisted_at = now if last is None or now > last else last + WAITLIST_STEP
    return waiting["count"] + 1


# The least step between two waitlist stamps (the database keeps microseconds).
WAITLIST_STEP = datetime.timedelta(microseconds=1)


def take_spot(signup, shift, now):
    Shift.objects.filter(pk=shift.pk).update(confirmed_count=F("confirmed_count") + 1)
    shift.confirmed_count += 1
    signup.status = Status.CONFIRMED
    signup.confirmed_at = now
    signup.waitlisted_at = None


def release_spot(shift):
    Shift.objects.filter(pk=shift.pk).update(confirmed_count=F("confirmed_count") - 1)
    shift.confirmed_count -= 1


# Volunteers


def volunteer_of_user(user):
    """The profile of a signed-in user: linked to the account, or found by its address."""
    if not user.is_authenticated:
        return None
    matches = Volunteer.objects.filter(Q(user=user) | Q(email=normalise_email(user.email)))
    return min(matches, key=lambda volunteer: volunteer.user_id != user.pk, default=None)


def has_verified_email(user):
    return (
        user.is_authenticated
        and EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
    )


NOT_LOOKED_UP = object()


def account_name(user):
    return (user.get_full_name() or user.email.split("@")[0])[:150]


def link_to_account(volunteers, user, now=None):
    """A verified account proves its address: link the profiles among `volunteers` that no
    account holds yet, and mark them proven. Nothing typed with an unproven sign-up comes
    with them (it stays on that sign-up); a profile that holds no name takes the account's."""
    now = now or timezone.now()
    return volunteers.filter(user__isnull=True).update(
        user=user,
        address_proven_at=Coalesce(F("address_proven_at"), Value(now)),
        name=Case(When(name="", then=Value(account_name(user))), default=F("name")),
    )


def volunteer_for_account(user, confirmed_age=0, found=NOT_LOOKED_UP):
    """Get or make the profile of a signed-in user with a verified address.

    `found`: what `volunteer_of_user(user)` already returned (None too), to skip asking again.
    """
    volunteer = volunteer_of_user(user) if found is NOT_LOOKED_UP else found
    if volunteer is None:
        try:
            with transaction.atomic():
                return Volunteer.objects.create(
                    email=user.email,
                    name=account_name(user),
                    user=user,
                    confirmed_age=confirmed_age,
                )
        except IntegrityError:
            volunteer = Volunteer.objects.for_email(user.email)
    if volunteer.user_id is None:
        link_to_account(Volunteer.objects.filter(pk=volunteer.pk), user)
        volunteer.user = user
        volunteer.address_proven_at = volunteer.address_proven_at or timezone.now()
        volunteer.name = volunteer.name or account_name(user)
    return volunteer


def volunteer_for_form(email):
    """The profile for an address typed in the public form: the known one, else a new one
    that is not proven and holds no details. What the form typed goes on the sign-up
    (`request_signup`): whoever types an address has not shown they own it."""
    email = normalise_email(email)
    try:
        with transaction.atomic():
            return Volunteer.objects.create(email=email, name="", address_proven_at=None)
    except IntegrityError:
        return Volunteer.objects.get(email=email)


def signups_of_user(user, shifts):
    """{shift id: active sign-up} of a signed-in user for the listed shifts."""
    volunteer = volunteer_of_user(user)
    if volunteer is None or not shifts:
        return {}
    signups = SignUp.objects.active().filter(volunteer=volunteer, shift__in=shifts)
    return {signup.shift_id: signup for signup in signups}


# Signing up


def sign_up_with_account(user, shift, age_confirmed=False, now=None, volunteer=NOT_LOOKED_UP):
    """One click for a signed-in volunteer: the spot is allocated at once.

    The checks that concern only this volunteer run before the shift is locked, so the lock
    is held just long enough to take a spot (or a waitlist place) and commit. They run in the
    same transaction: a profile made or updated for the sign-up commits with it, once (a
    commit waits for the disk; on the 2-core bench machine about 5 ms).
    """
    now = now or timezone.now()
    minimum_age = shift.opportunity.minimum_age
    try:
        with transaction.atomic():
            volunteer = volunteer_for_account(
                user, minimum_age if age_confirmed else 0, found=volunteer
            )
            ensure_open(shift, now)
            waiting_id = ensure_free(volunteer, shift)
            ensure_old_enough(volunteer, shift, age_confirmed)
            fixed = fixed_context(volunteer, shift)
            shift = lock_shift(shift.pk, shift.opportunity)
            ensure_open(shift, now)
            signup = SignUp(shift=shift, volunteer=volunteer, created_at=now)
            if waiting_id is not None:
                signup = taken_over(waiting_id, shift, volunteer) or signup
            signup.email_confirmed_at = now
            return place(signup, shift, now, fixed)
    except IntegrityError as error:
        # A second click raced the first past the check: the constraint caught it.
        raise SignUpRefused(ALREADY) from error


def ensure_free(volunteer, shift):
    """Not already on this shift, and not on another at the same time (one narrow query).

    Returns the id of a sign-up for this shift still waiting for its emailed link, if any:
    the account proves the address, so it takes that sign-up over (`taken_over`) rather than
    being refused by a form someone else may have filled with this address.
    """
    clashes = (
        SignUp.objects.active()
        .filter(volunteer=volunteer)
        .filter(
            Q(shift_id=shift.pk)
            | Q(
                status__in=SignUp.ON_ROSTER,
                shift__status=Shift.Status.SCHEDULED,
                shift__starts_at__lt=shift.ends_at,
                shift__ends_at__gt=shift.starts_at,
            )
        )
        .values_list("pk", "shift_id", "status")
    )
    waiting_id = None
    for signup_id, shift_id, status in clashes:
        if shift_id != shift.pk:
            other = SignUp.objects.select_related("shift__opportunity").get(pk=signup_id)
            raise SignUpRefused(overlap_message(other))
        if status != Status.PENDING_EMAIL:
            raise SignUpRefused(ALREADY)
        waiting_id = signup_id
    return waiting_id


def taken_over(signup_id, shift, volunteer):
    """The waiting sign-up, locked, for an account to place: what its form typed is dropped,
    unproven. None if it stopped waiting meanwhile (the usual insert then decides)."""
    signup = SignUp.objects.select_for_update().filter(pk=signup_id, status=Status.PENDING_EMAIL)
    signup = signup.first()
    if signup is not None:
        signup.shift, signup.volunteer = shift, volunteer
        signup.pending_name = signup.pending_phone = ""
    return signup


def request_signup(volunteer, shift, name="", phone="", now=None):
    """A public-form sign-up: held as "pending email" until the emailed link is followed.

    The name and phone typed wait on the sign-up (`pending_name`, `pending_phone`) and become
    the profile's only when the link is followed. Returns the sign-up to email about: a new
    pending one, or the volunteer's existing one for this shift (they get its link or status
    again; the form's answer is the same, so it tells nobody whether an address is signed
    up). A sign-up still waiting takes the latest details typed, which its confirmation page
    shows before anything is saved; one already placed keeps the profile as it is.
    """
    now = now or timezone.now()
    ensure_open(shift, now)
    typed = {"pending_name": name, "pending_phone": phone}
    existing = SignUp.objects.active().filter(volunteer=volunteer, shift=shift).first()
    if existing is not None:
        if existing.status == Status.PENDING_EMAIL and name:
            SignUp.objects.filter(pk=existing.pk, status=Status.PENDING_EMAIL).update(**typed)
        return existing
    try:
        with transaction.atomic():
            return SignUp.objects.create(
                shift=shift,
                volunteer=volunteer,
                status=Status.PENDING_EMAIL,
                created_at=now,
                **typed,
            )
    except IntegrityError:
        return SignUp.objects.active().get(volunteer=volunteer, shift=shift)


def confirm_email(signup_id, now=None):
    """The emailed link was followed: allocate the spot. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        shift_id = SignUp.objects.values_list("shift_id", flat=True).get(pk=signup_id)
        shift = lock_shift(shift_id)
        signup = SignUp.objects.select_for_update().select_related("volunteer").get(pk=signup_id)
        if signup.status != Status.PENDING_EMAIL:
            return signup
        ensure_open(shift, now)
        ensure_no_overlap(signup.volunteer, shift)
        signup.shift = shift
        apply_typed_details(signup, shift.opportunity.minimum_age, now)
        signup.email_confirmed_at = now
        return place(signup, shift, now)


def apply_typed_details(signup, confirmed_age, now):
    """The emailed link was followed, so the address is proven: what was typed with this
    sign-up becomes the profile's, replacing older details (the newest proven details win:
    a volunteer who changed their number says so in the form, and only the owner of the
    mailbox can follow the link; the confirmation page shows the details before the button).
    """
    changes = {
        "address_proven_at": Coalesce(F("address_proven_at"), Value(now)),
        "confirmed_age": Greatest(F("confirmed_age"), Value(confirmed_age)),
    }
    if signup.pending_name:
        changes.update(name=signup.pending_name, phone=signup.pending_phone)
        signup.volunteer.name, signup.volunteer.phone = signup.pending_name, signup.pending_phone
    Volunteer.objects.filter(pk=signup.volunteer_id).update(**changes)
    signup.pending_name = signup.pending_phone = ""


# Cancelling and promoting


def cancel(signup_id, by=SignUp.CancelledBy.VOLUNTEER, now=None, notify_volunteer=True):
    """Cancel a sign-up and hand its spot to the waitlist. Volunteers may until the start."""
    now = now or timezone.now()
    with transaction.atomic():
        shift_id = SignUp.objects.values_list("shift_id", flat=True).get(pk=signup_id)
        shift = lock_shift(shift_id)
        signup = SignUp.objects.select_for_update().get(pk=signup_id)
        if not signup.is_active:
            return signup
        if by == SignUp.CancelledBy.VOLUNTEER and shift.has_started(now):
            raise SignUpRefused("This shift has started: please call your coordinator instead.")
        was_confirmed = signup.status == Status.CONFIRMED
        signup.status = Status.CANCELLED
        signup.cancelled_at = now
        signup.cancelled_by = by
        # Details typed with a sign-up that never got its link are never applied: they go.
        signup.pending_name = signup.pending_phone = ""
        signup.save(update_fields=["status", "cancelled_at", "cancelled_by", *TYPED_FIELDS])
        if was_confirmed:
            release_spot(shift)
        if notify_volunteer:
            notify(signup, "cancelled")
        logger.info("Sign-up %s cancelled by %s", signup.pk, by)
        promote_from_waitlist(shift, now)
        return signup


def promote_from_waitlist(shift, now=None):
    """Give free spots to the waitlist in order, until the shift starts. Caller holds the lock."""
    now = now or timezone.now()
    promoted = []
    if shift.status != Shift.Status.SCHEDULED or shift.has_started(now):
        return promoted
    while shift.confirmed_count < shift.capacity:
        signup = (
            SignUp.objects.select_for_update()
            .select_related("volunteer")
            .filter(shift=shift, status=Status.WAITLISTED)
            .order_by("waitlisted_at", "pk")
            .first()
        )
        if signup is None:
            break
        if needs_clearance(signup.volunteer, shift):
            signup.status = Status.PENDING_CLEARANCE
            signup.save(update_fields=["status"])
            notify(signup, Status.PENDING_CLEARANCE)
            continue
        take_spot(signup, shift, now)
        signup.save(update_fields=["status", "confirmed_at", "waitlisted_at"])
        notify(signup, "promoted")
        logger.info("Sign-up %s promoted from the waitlist of shift %s", signup.pk, shift.pk)
        promoted.append(signup)
    return promoted


def clearance_changed(volunteer, now=None):
    """Re-place the volunteer's sign-ups waiting for clearance (after a check is verified)."""
    now = now or timezone.now()
    placed = []
    waiting = SignUp.objects.filter(
        volunteer=volunteer, status=Status.PENDING_CLEARANCE, shift__starts_at__gt=now
    ).values_list("pk", "shift_id")
    for signup_id, shift_id in waiting:
        with transaction.atomic():
            shift = lock_shift(shift_id)
            signup = (
                SignUp.objects.select_for_update().select_related("volunteer").get(pk=signup_id)
            )
            if signup.status != Status.PENDING_CLEARANCE or shift.status != Shift.Status.SCHEDULED:
                continue
            if not needs_clearance(signup.volunteer, shift):
                signup.shift = shift
                placed.append(place(signup, shift, now))
    return placed


def withdraw_clearance(signup_id, now=None):
    """An expired check: the sign-up waits for clearance again and frees its spot."""
    now = now or timezone.now()
    with transaction.atomic():
        shift_id = SignUp.objects.values_list("shift_id", flat=True).get(pk=signup_id)
        shift = lock_shift(shift_id)
        signup = SignUp.objects.select_for_update().select_related("volunteer").get(pk=signup_id)
        if signup.status not in (Status.CONFIRMED, Status.WAITLISTED):
            return None
        if not needs_clearance(signup.volunteer, shift):
            return None
        was_confirmed = signup.status == Status.CONFIRMED
        signup.status = Status.PENDING_CLEARANCE
        signup.confirmed_at = None
        signup.waitlisted_at = None
        signup.save(update_fields=["status", "confirmed_at", "waitlisted_at"])
        if was_confirmed:
            release_spot(shift)
        notify(signup, "clearance-expired")
        promote_from_waitlist(shift, now)
        return signup
