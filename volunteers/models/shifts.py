"""Shifts, the sign-ups for them, and the records that keep coordinator mail exactly-once.

`Shift.confirmed_count` is the number of confirmed sign-ups. It changes only inside a
transaction that holds the shift row (`volunteers.signups`), and a check constraint keeps it
within capacity, so the database itself refuses an overbooking.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from core.outbox import Delivery

# Also named by volunteers 0001 as volunteers.models.shifts.validate_time_zone.
from core.time_zones import validate_time_zone
from volunteers.models.people import Volunteer


class ShiftQuerySet(models.QuerySet):
    def bookable(self, now=None):
        """Scheduled shifts whose sign-up is still open (deadline and start not passed)."""
        now = now or timezone.now()
        return self.filter(status=Shift.Status.SCHEDULED, starts_at__gt=now).filter(
            Q(signup_deadline__isnull=True) | Q(signup_deadline__gt=now)
        )

    def with_open_spots(self):
        return self.filter(confirmed_count__lt=F("capacity"))


class Shift(models.Model):
    # Records, not content: Wagtail's usage index would cost queries on every save.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    opportunity = models.ForeignKey(
        "volunteers.OpportunityPage", on_delete=models.CASCADE, related_name="shifts"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64, default="Asia/Kolkata", validators=[validate_time_zone]
    )
    capacity = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    signup_deadline = models.DateTimeField(
        null=True, blank=True, help_text="Empty: sign-up closes when the shift starts."
    )
    notes = models.TextField(
        max_length=2000,
        blank=True,
        help_text="Sent to the volunteers on this shift. Never the exact address: it has its "
        "own field on the opportunity.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    confirmed_count = models.PositiveIntegerField(default=0, editable=False)
    sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="Raised when the shift moves (calendar SEQUENCE)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["opportunity", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(confirmed_count__lte=F("capacity")), name="shift_never_overbooked"
            ),
        ]

    def __str__(self):
        return f"{self.opportunity.title}, {self.local_label}"

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(self.zone)

    @property
    def local_ends_at(self):
        return self.ends_at.astimezone(self.zone)

    @property
    def local_label(self):
        start, end = self.local_starts_at, self.local_ends_at
        end_format = "%H:%M" if start.date() == end.date() else "%a %d %b %Y %H:%M"
        return f"{start:%a %d %b %Y, %H:%M}–{end:{end_format}} ({self.time_zone})"

    @property
    def closes_at(self):
        return min(self.signup_deadline or self.starts_at, self.starts_at)

    @property
    def spots_left(self):
        return max(self.capacity - self.confirmed_count, 0)

    @property
    def duration_hours(self):
        return round((self.ends_at - self.starts_at) / datetime.timedelta(hours=1), 2)

    def has_started(self, now=None):
        return (now or timezone.now()) >= self.starts_at

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.status == self.Status.SCHEDULED and now < self.closes_at


class SignUpQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status__in=SignUp.INACTIVE)

    def holding_place(self):
        """Confirmed, waitlisted or waiting for clearance: on the coordinator's roster."""
        return self.filter(status__in=SignUp.ON_ROSTER)


class SignUp(models.Model):
    # Records, not content: Wagtail's usage index would cost queries on every save.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        PENDING_EMAIL = "pending_email", "Waiting for email confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "Waitlisted"
        PENDING_CLEARANCE = "pending_clearance", "Pending clearance"
        CANCELLED = "cancelled", "Cancelled"

    class Attendance(models.TextChoices):
        UNKNOWN = "", "Not recorded"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "No-show"

    class CancelledBy(models.TextChoices):
        VOLUNTEER = "volunteer", "Volunteer"
        COORDINATOR = "coordinator", "Coordinator"

    INACTIVE = (Status.CANCELLED,)
    ON_ROSTER = (Status.CONFIRMED, Status.WAITLISTED, Status.PENDING_CLEARANCE)

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(max_length=20, choices=Status.choices)
    attendance = models.CharField(
        max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN, blank=True
    )
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(168)],
        help_text="Hours served. Empty: the shift's length once marked attended.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # What the public form typed, kept here until the emailed link proves the address: only
    # then does it become the profile's (volunteers.signups.confirm_email). Whoever typed an
    # address has shown nothing, so until then no coordinator, account or export takes it
    # for the owner's.
    pending_name = models.CharField(
        max_length=150, blank=True, editable=False, help_text="Typed with the sign-up; unproven."
    )
    pending_phone = PhoneNumberField(
        max_length=20, blank=True, editable=False, help_text="Typed with the sign-up; unproven."
    )
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True, help_text="Waitlist order.")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=12, choices=CancelledBy.choices, blank=True)
    day_before_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    morning_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = SignUpQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = "sign-up"
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "shift"],
                condition=~Q(status="cancelled"),
                name="one_active_signup_per_volunteer_and_shift",
            ),
            models.CheckConstraint(
                condition=Q(status="pending_email") | Q(pending_name="", pending_phone=""),
                name="typed_details_only_while_pending",
            ),
        ]
        indexes = [
            models.Index(fields=["shift", "status", "waitlisted_at"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self):
        return f"{self.volunteer} on {self.shift}"

    @property
    def is_active(self):
        return self.status not in self.INACTIVE

    def waitlist_position(self):
        if self.status != self.Status.WAITLISTED:
            return None
        ahead = SignUp.objects.filter(
            Q(waitlisted_at__lt=self.waitlisted_at)
            | Q(waitlisted_at=self.waitlisted_at, pk__lt=self.pk),
            shift_id=self.shift_id,
            status=self.Status.WAITLISTED,
        )
        return ahead.count() + 1

    @property
    def hours_served(self):
        if self.attendance != self.Attendance.ATTENDED:
            return 0
        return self.hours if self.hours is not None else self.shift.duration_hours


class ShiftMessage(models.Model):
    """A coordinator's message to everyone on a shift, sent once as a batch by a task."""

    # Records, not content: Wagtail's usage index would cost queries on every save.
    wagtail_reference_index_ignore = True

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=5000)
    include_waitlist = models.BooleanField(default=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class ShiftMessageDelivery(Delivery):
    """One sign-up's copy of a coordinator's shift message, sent by the outbox."""

    wagtail_reference_index_ignore = True

    # Not "message": its column would clash with the provider's message_id.
    shift_message = models.ForeignKey(
        ShiftMessage, on_delete=models.CASCADE, related_name="deliveries"
    )
    signup = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="message_deliveries")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shift_message", "signup"], name="one_delivery_per_shift_message_and_signup"
            )
        ]
        indexes = [models.Index(fields=["shift_message", "status"])]

    def __str__(self):
        return f"{self.shift_message_id} → {self.signup_id}: {self.status}"


class CoordinatorSummary(models.Model):
    """One row per day the coordinators' summary went out: a rerun finds it and stops."""

    # Records, not content: Wagtail's usage index would cost queries on every save.
    wagtail_reference_index_ignore = True

    day = models.DateField(unique=True)
    signup_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day"]
        verbose_name_plural = "coordinator summaries"

    def __str__(self):
        return f"Summary for {self.day}"
