"""What the task cluster runs for volunteers. Each task is safe to run twice.

Reminders, check-expiry notices and the daily summary are claimed with a conditional UPDATE
or a unique row, committed with their email (an outbox row, core.emails.queue_email), so a
rerun (django-q2 delivers at least once) never sends them again and a killed worker loses
none. Status emails (confirmed, waitlisted, ...) are skipped at send time once the sign-up
has moved on, so a late retry never contradicts a newer email (volunteers.emails). A
shift message writes its delivery rows once and the outbox sends them (core/outbox.py,
volunteers/messages.py).
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core import outbox
from core.emails import queue_email
from volunteers.emails import coordinator_addresses, queue_signup_email
from volunteers.links import manage_url
from volunteers.models import CoordinatorSummary, SafeguardingCheck, Shift, ShiftMessage, SignUp

logger = logging.getLogger(__name__)

Status = SignUp.Status

DAY_BEFORE_FROM = datetime.time(9, 0)
MORNING_FROM = datetime.time(6, 0)
MORNING_LEAD = datetime.timedelta(hours=2)
EXPIRY_NOTICE_DAYS = 30
SHIFT_MESSAGE = "shift_message"


def send_signup_email(signup_id, kind):
    """Kept for the tasks queued before status emails went through the outbox (a task in the
    broker at the upgrade still names it): writes the email to the outbox, which sends it.
    New code calls volunteers.emails.notify inside the change's transaction."""
    return queue_signup_email(signup_id, kind)


# Reminders


def reminders_due(signup, now):
    """The reminder kinds due now for a confirmed sign-up, in the shift's time zone."""
    shift = signup.shift
    if now >= shift.starts_at:
        return []
    local_now = now.astimezone(shift.zone)
    local_start = shift.local_starts_at
    due = []
    if (
        signup.day_before_reminder_sent_at is None
        and local_now.date() == local_start.date() - datetime.timedelta(days=1)
        and local_now.time() >= DAY_BEFORE_FROM
    ):
        due.append(("reminder-day-before", "day_before_reminder_sent_at"))
    morning_opens = min(
        datetime.datetime.combine(local_start.date(), MORNING_FROM, tzinfo=shift.zone),
        local_start - MORNING_LEAD,
    )
    if (
        signup.morning_reminder_sent_at is None
        and local_now.date() == local_start.date()
        and local_now >= morning_opens
    ):
        due.append(("reminder-morning", "morning_reminder_sent_at"))
    return due


def send_due_reminders(now=None):
    """Every 15 minutes: the day-before and morning-of reminders, each at most once."""
    now = now or timezone.now()
    candidates = (
        SignUp.objects.filter(
            status=Status.CONFIRMED,
            shift__status=Shift.Status.SCHEDULED,
            shift__starts_at__gt=now,
            shift__starts_at__lte=now + datetime.timedelta(hours=50),
        )
        .filter(
            Q(day_before_reminder_sent_at__isnull=True) | Q(morning_reminder_sent_at__isnull=True)
        )
        .select_related("shift")
    )
    sent = 0
    for signup in candidates:
        for kind, field in reminders_due(signup, now):
            # The claim and the email commit together: a worker killed between them
            # leaves neither, and the next run sends the reminder.
            with transaction.atomic():
                claimed = SignUp.objects.filter(
                    pk=signup.pk, status=Status.CONFIRMED, **{f"{field}__isnull": True}
                ).update(**{field: now})
                if claimed and queue_signup_email(signup.pk, kind):
                    sent += 1
    return sent


# Safeguarding checks


def remind_expiring_checks(today=None):
    """Daily: tell the volunteer and the coordinators about checks expiring within 30 days."""
    today = today or timezone.localdate()
    expiring = SafeguardingCheck.objects.filter(
        verified_on__isnull=False,
        expires_on__gte=today,
        expires_on__lte=today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS),
        expiry_reminder_sent_at__isnull=True,
    ).select_related("volunteer")
    claimed = []
    # The claims and the emails commit together: all of them, or none and tomorrow's run.
    with transaction.atomic():
        for check in expiring:
            if SafeguardingCheck.objects.filter(
                pk=check.pk, expiry_reminder_sent_at__isnull=True
            ).update(expiry_reminder_sent_at=timezone.now()):
                claimed.append(check)
                queue_email(
                    "volunteers-check-expiring",
                    check.volunteer.email,
                    {
                        "name": check.volunteer.name,
                        "kind": check.get_kind_display(),
                        "expires_on": check.expires_on.strftime("%d %B %Y"),
                        "manage_url": manage_url(check.volunteer),
                    },
                )
        coordinators = coordinator_addresses()
        if claimed and coordinators:
            rows = [
                {
                    "volunteer": check.volunteer.name,
                    "kind": check.get_kind_display(),
                    "expires_on": check.expires_on.strftime("%d %B %Y"),
                }
                for check in claimed
            ]
            queue_email("volunteers-checks-expiring-coordinators", coordinators, {"checks": rows})
    return len(claimed)


def withdraw_expired_clearances(now=None):
    """Daily: future sign-ups whose check no longer covers the shift wait for clearance again."""
    from volunteers.signups import withdraw_clearance

    now = now or timezone.now()
    at_risk = SignUp.objects.filter(
        status__in=(Status.CONFIRMED, Status.WAITLISTED),
        shift__status=Shift.Status.SCHEDULED,
        shift__starts_at__gt=now,
        shift__opportunity__requires_safeguarding_check=True,
    ).values_list("pk", flat=True)
    return sum(1 for signup_id in list(at_risk) if withdraw_clearance(signup_id, now))


# Coordinators


def send_coordinator_summary(today=None):
    """Daily: the sign-ups of the day before, once (the summary row is unique per day)."""
    today = today or timezone.localdate()
    zone = timezone.get_current_timezone()
    end = datetime.datetime.combine(today, datetime.time.min, tzinfo=zone)
    signups = list(
        SignUp.objects.filter(created_at__gte=end - datetime.timedelta(days=1), created_at__lt=end)
        .exclude(status=Status.PENDING_EMAIL)
        .select_related("volunteer", "shift__opportunity")
        .order_by("shift__starts_at", "created_at")
    )
    coordinators = coordinator_addresses()
    rows = [
        {
            "volunteer": signup.volunteer.name,
            "opportunity": signup.shift.opportunity.title,
            "shift": signup.shift.local_label,
            "status": signup.get_status_display(),
            "fill": f"{signup.shift.confirmed_count}/{signup.shift.capacity}",
        }
        for signup in signups
    ]
    context = {"day": (today - datetime.timedelta(days=1)).strftime("%A %d %B %Y"), "rows": rows}
    # The summary row and its email commit together.
    try:
        with transaction.atomic():
            CoordinatorSummary.objects.create(day=today, signup_count=len(signups))
            if rows and coordinators:
                queue_email("volunteers-coordinator-summary", coordinators, context)
    except IntegrityError:
        return 0
    return len(rows) if coordinators else 0


def send_shift_message(message_id):
    """A coordinator's message to everyone on a shift: rows written once, then the outbox
    sends them in batches (volunteers/messages.py); the number of rows written."""
    ShiftMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(sent_at=timezone.now())
    if ShiftMessage.objects.filter(pk=message_id, finished_at__isnull=False).exists():
        return 0  # a rerun of a finished send
    created = outbox.start(SHIFT_MESSAGE, message_id)
    logger.info("Shift message %s: %s deliveries", message_id, created)
    return created
