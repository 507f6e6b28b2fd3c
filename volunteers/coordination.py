"""What a coordinator's edits to a shift mean for the people on it."""

import logging

from django.db import transaction
from django.db.models import F

from core.tasks import enqueue
from volunteers.emails import notify
from volunteers.models import Shift, ShiftMessage, SignUp
from volunteers.signups import lock_shift, promote_from_waitlist

logger = logging.getLogger(__name__)

Status = SignUp.Status
TIMING_FIELDS = ("starts_at", "ends_at", "time_zone")


def snapshot(shift):
    return {field: getattr(shift, field) for field in (*TIMING_FIELDS, "capacity", "status")}


def shift_saved(shift, before, now=None):
    """After a coordinator saved `shift` (with `before` = snapshot() of it beforehand)."""
    with transaction.atomic():
        locked = lock_shift(shift.pk)
        if before["status"] != Shift.Status.CANCELLED and locked.status == Shift.Status.CANCELLED:
            cancel_everyone(locked, now)
            return
        if any(before[field] != getattr(locked, field) for field in TIMING_FIELDS):
            moved(locked)
        if locked.capacity > before["capacity"]:
            promote_from_waitlist(locked, now)


def moved(shift):
    """New times: calendars update (SEQUENCE), reminders are due again, everyone is told."""
    Shift.objects.filter(pk=shift.pk).update(sequence=F("sequence") + 1)
    shift.sequence += 1
    on_roster = SignUp.objects.holding_place().filter(shift=shift)
    on_roster.update(day_before_reminder_sent_at=None, morning_reminder_sent_at=None)
    for signup in on_roster:
        notify(signup, "shift-changed")
    logger.info("Shift %s moved; %s volunteers told", shift.pk, len(on_roster))


def cancel_everyone(shift, now=None):
    from django.utils import timezone

    now = now or timezone.now()
    active = list(SignUp.objects.active().filter(shift=shift))
    SignUp.objects.filter(pk__in=[s.pk for s in active]).update(
        status=Status.CANCELLED, cancelled_at=now, cancelled_by=SignUp.CancelledBy.COORDINATOR
    )
    Shift.objects.filter(pk=shift.pk).update(confirmed_count=0)
    for signup in active:
        if signup.status in SignUp.ON_ROSTER:
            notify(signup, "shift-cancelled")
    logger.info("Shift %s cancelled; %s sign-ups cancelled", shift.pk, len(active))


def record_attendance(signup, attendance, hours=None):
    signup.attendance = attendance
    signup.hours = hours if attendance == SignUp.Attendance.ATTENDED else None
    signup.save(update_fields=["attendance", "hours"])


def message_shift(shift, subject, body, user, include_waitlist=False):
    message = ShiftMessage.objects.create(
        shift=shift, subject=subject, body=body, sent_by=user, include_waitlist=include_waitlist
    )
    enqueue("volunteers.tasks.send_shift_message", message.pk, task_name="volunteers:message")
    return message
