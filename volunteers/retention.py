"""Retention of volunteer profiles: a warning, then anonymisation, after long inactivity.

Activity is the latest of these moments (see README, "Retention"):

- the profile was created;
- a sign-up was made whose address was proven (any status except "pending email");
- a shift held by a sign-up that was not cancelled ended (so a future shift keeps the
  volunteer active until it is over);
- a safeguarding check was verified (the end of that day, in the site's time zone);
- the volunteer signed in with the account linked to the profile;
- the volunteer pressed "keep my details" (the link in the warning email).

A volunteer inactive for RETENTION_VOLUNTEER_INACTIVE_MONTHS is warned by email
RETENTION_VOLUNTEER_WARNING_DAYS before that moment, and anonymised once it has passed and
the warning is at least that many days old. A warning belongs to one period of inactivity:
any activity after it (a click on "keep my details", too) makes it void, so the next period
gets a warning of its own before anything is removed.

Both daily tasks are idempotent. The warning is claimed with a conditional UPDATE on the
warning time read a moment before, and committed with its email (an outbox row), so a rerun
or a second worker never sends it twice; a warning the outbox gives up on is claimed again
the next day (`release_undelivered_warnings`). The anonymisation checks the volunteer again
with the row locked.
"""

import calendar
import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.emails import queue_email
from volunteers.erasure import anonymise_volunteer
from volunteers.links import keep_details_url, manage_url
from volunteers.models import SafeguardingCheck, SignUp, Volunteer

logger = logging.getLogger(__name__)


def add_months(moment, months):
    """The same day and time `months` calendar months later (earlier when negative); a day
    the month lacks becomes its last (31 March + 1 month = 30 April)."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def anonymisation_due_at(last_active):
    return add_months(last_active, settings.RETENTION_VOLUNTEER_INACTIVE_MONTHS)


def warning_period():
    return datetime.timedelta(days=settings.RETENTION_VOLUNTEER_WARNING_DAYS)


def end_of_day(day):
    start = datetime.datetime.combine(day, datetime.time.min)
    return timezone.make_aware(start + datetime.timedelta(days=1))


def proven_signups():
    return SignUp.objects.filter(volunteer=OuterRef("pk")).exclude(
        status=SignUp.Status.PENDING_EMAIL
    )


def active_after(moment):
    """Q: the volunteer did something (see the module's docstring) after `moment`."""
    checks = SafeguardingCheck.objects.filter(
        volunteer=OuterRef("pk"), verified_on__gte=timezone.localdate(moment)
    )
    return (
        Q(created_at__gt=moment)
        | Q(kept_details_at__gt=moment)
        | Q(user__last_login__gt=moment)
        | Exists(proven_signups().filter(created_at__gt=moment))
        | Exists(proven_signups().active().filter(shift__ends_at__gt=moment))
        | Exists(checks)
    )


def latest(queryset, field):
    return Subquery(
        queryset.order_by().values("volunteer").annotate(latest=Max(field)).values("latest")
    )


# Months differ in length, so the database is asked with a few days to spare and each
# volunteer it returns is then checked to the day (`is_due`, `needs_warning`).
MONTH_SLACK = datetime.timedelta(days=4)


def candidates(now):
    """Volunteers inactive long enough to be warned, with what their last activity needs."""
    months = settings.RETENTION_VOLUNTEER_INACTIVE_MONTHS
    since = add_months(now, -months) + warning_period() + MONTH_SLACK
    return (
        Volunteer.objects.not_anonymised()
        .exclude(active_after(since))
        .annotate(
            last_login=F("user__last_login"),
            last_signup_at=latest(proven_signups(), "created_at"),
            last_shift_end=latest(proven_signups().active(), "shift__ends_at"),
            last_check_on=latest(
                SafeguardingCheck.objects.filter(
                    volunteer=OuterRef("pk"), verified_on__isnull=False
                ),
                "verified_on",
            ),
        )
        .order_by("pk")
    )


def last_activity(volunteer):
    """The latest activity of a volunteer from `candidates()`."""
    moments = [
        volunteer.created_at,
        volunteer.kept_details_at,
        volunteer.last_login,
        volunteer.last_signup_at,
        volunteer.last_shift_end,
        end_of_day(volunteer.last_check_on) if volunteer.last_check_on else None,
    ]
    return max(moment for moment in moments if moment is not None)


def holds_a_valid_warning(volunteer, last_active):
    """Warned during this period of inactivity (not before some later activity)."""
    warned = volunteer.inactivity_warning_sent_at
    return warned is not None and warned > last_active


def needs_warning(volunteer, now):
    last_active = last_activity(volunteer)
    return now >= anonymisation_due_at(last_active) - warning_period() and not (
        holds_a_valid_warning(volunteer, last_active)
    )


def anonymisation_day(volunteer, now):
    """When the volunteer will be anonymised if nothing happens (for the warning email)."""
    due = anonymisation_due_at(last_activity(volunteer))
    return timezone.localdate(max(due, now + warning_period()))


def warn_inactive_volunteers(now=None):
    """Daily: email each volunteer whose inactivity ends in anonymisation within the warning
    period, once per period of inactivity."""
    now = now or timezone.now()
    release_undelivered_warnings()
    warned = 0
    for volunteer in candidates(now):
        if not needs_warning(volunteer, now):
            continue
        seen = {
            "inactivity_warning_sent_at": volunteer.inactivity_warning_sent_at,
            "kept_details_at": volunteer.kept_details_at,
        }
        # The claim and the email commit together (an outbox row, which retries).
        with transaction.atomic():
            claimed = Volunteer.objects.filter(
                pk=volunteer.pk, anonymised_at__isnull=True, **seen
            ).update(inactivity_warning_sent_at=now)
            if claimed:
                queue_email(
                    **warning_message(volunteer, now),
                    kind=WARNING_KIND,
                    about=warning_about(volunteer.pk, now),
                )
        if not claimed:
            continue
        warned += 1
    logger.info("Warned %s inactive volunteers", warned)
    return warned


WARNING_KIND = "volunteers:inactivity-warning"


def warning_about(volunteer_id, claimed_at):
    """Names the warning's outbox row after the claim it belongs to."""
    return f"{volunteer_id}@{claimed_at.isoformat()}"


def release_undelivered_warnings():
    """A warning the outbox gave up on (failed after its retries, or refused) was never
    given: its claim is released, so today's run warns again and the 30 days count from a
    warning actually sent. (A suppressed address cannot receive mail at all: that warning
    counts as given, or the profile would be kept for ever.)"""
    from core.models import OutboundEmail

    released = 0
    undelivered = OutboundEmail.objects.filter(
        kind=WARNING_KIND, status=OutboundEmail.Status.FAILED
    ).values_list("about", flat=True)
    for about in undelivered:
        volunteer_id, _, claimed_at = about.partition("@")
        moment = parse_datetime(claimed_at)
        if volunteer_id.isdigit() and moment:
            released += Volunteer.objects.filter(
                pk=int(volunteer_id), inactivity_warning_sent_at=moment
            ).update(inactivity_warning_sent_at=None)
    if released:
        logger.warning("Inactivity warnings not delivered, to be sent again: %s", released)
    return released


def warning_message(volunteer, now):
    """The warning's template, address and context (for core.emails.queue_email)."""
    return {
        "template": "volunteers-inactivity-warning",
        "to": volunteer.email,
        "context": {
            "name": volunteer.name,
            "months": settings.RETENTION_VOLUNTEER_INACTIVE_MONTHS,
            "anonymise_on": anonymisation_day(volunteer, now).strftime("%d %B %Y"),
            "keep_url": keep_details_url(volunteer),
            "manage_url": manage_url(volunteer),
        },
    }


def is_due(volunteer, now):
    last_active = last_activity(volunteer)
    return (
        now >= anonymisation_due_at(last_active)
        and holds_a_valid_warning(volunteer, last_active)
        and volunteer.inactivity_warning_sent_at <= now - warning_period()
    )


def anonymise_inactive_volunteers(now=None):
    """Daily: anonymise volunteers inactive too long who were warned long enough ago."""
    now = now or timezone.now()
    release_undelivered_warnings()
    due = [volunteer.pk for volunteer in candidates(now) if is_due(volunteer, now)]
    anonymised = 0
    for volunteer_id in due:
        with transaction.atomic():
            # Checked again under the lock: "keep my details" may have been pressed since.
            volunteer = (
                candidates(now).filter(pk=volunteer_id).select_for_update(of=("self",)).first()
            )
            if volunteer is not None and is_due(volunteer, now):
                anonymised += 1 if anonymise_volunteer(volunteer, now) else 0
    logger.info("Anonymised %s inactive volunteers", anonymised)
    return anonymised


def keep_details(volunteer, now=None):
    """The volunteer asked to stay: that is activity, and the warning no longer holds.
    False when the profile was anonymised meanwhile."""
    now = now or timezone.now()
    return bool(
        Volunteer.objects.filter(
            pk=volunteer.pk, anonymised_at__isnull=True, link_version=volunteer.link_version
        ).update(kept_details_at=now, inactivity_warning_sent_at=None)
    )


def forget_unproven_volunteers(cutoff):
    """After the unconfirmed sign-ups are purged (core.confirmation): a profile they leave
    with no sign-up, check or account was only ever an unproven address, which is not kept."""
    Volunteer.objects.filter(
        signups__isnull=True, checks__isnull=True, user__isnull=True, created_at__lt=cutoff
    ).delete()
