"""Volunteers (one profile per email address) and their safeguarding checks."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from core.mailing import normalise_email

HOUR = datetime.timedelta(hours=1)
# How a profile nobody has proven yet is named in lists: it holds no name of its own.
UNPROVEN_LABEL = "Address not confirmed yet"


class VolunteerQuerySet(models.QuerySet):
    def for_email(self, email):
        """The profile for an address, however it was typed (issue 7 attaches them to accounts)."""
        return self.filter(email=normalise_email(email)).first()

    def not_anonymised(self):
        """People: who may be emailed, listed or exported (anonymised profiles are statistics)."""
        return self.filter(anonymised_at__isnull=True)

    def proven(self):
        """Profiles whose address someone has shown they read (see `address_proven_at`)."""
        return self.filter(address_proven_at__isnull=False)

    def with_hours(self):
        """What `hours_served` adds up, summed in the query: a list of volunteers is one query.

        Attended sign-ups count the hours a coordinator recorded, else the shift's length.
        """
        attended = Q(signups__attendance="attended")
        shift_length = ExpressionWrapper(
            F("signups__shift__ends_at") - F("signups__shift__starts_at"),
            output_field=DurationField(),
        )
        return self.annotate(
            hours_recorded=Sum("signups__hours", filter=attended & Q(signups__hours__isnull=False)),
            time_unrecorded=Sum(shift_length, filter=attended & Q(signups__hours__isnull=True)),
        )


class Volunteer(models.Model):
    # Records, not content: Wagtail's usage index would cost queries on every save.
    wagtail_reference_index_ignore = True

    email = models.EmailField(unique=True, help_text="Stored lower-case.")
    # Name and phone hold only what the owner of the address gave: a public form's details
    # wait on their sign-up (`SignUp.pending_name`) until its emailed link is followed.
    name = models.CharField(max_length=150)
    phone = PhoneNumberField(max_length=20, blank=True, help_text="International format (E.164).")
    address_proven_at = models.DateTimeField(
        null=True,
        blank=True,
        default=timezone.now,
        editable=False,
        help_text="When the address was first proven: an emailed link followed, a verified "
        "account, or a coordinator added the person. Empty: only typed into the public form.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_profiles",
        help_text="Set when the volunteer signed up while signed in.",
    )
    confirmed_age = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(120)],
        help_text="The highest minimum age this person confirmed they have reached.",
    )
    link_version = models.PositiveIntegerField(
        default=0, help_text="Raise to revoke every sign-up link emailed so far."
    )
    feed_version = models.PositiveIntegerField(
        default=0, help_text="Raise to revoke the private calendar feed address."
    )
    notes = models.TextField(blank=True, max_length=2000, help_text="For coordinators only.")
    created_at = models.DateTimeField(default=timezone.now)
    kept_details_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the volunteer last asked to keep their details (activity).",
    )
    inactivity_warning_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the volunteer was last warned that inactivity will anonymise them.",
    )
    anonymised_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set once: the person is gone; sign-ups and hours stay for statistics.",
    )

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name or UNPROVEN_LABEL

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def hours_served(self):
        """Attended hours (the shift's length where a coordinator recorded none), from the
        annotations of `Volunteer.objects.with_hours()`, or one query when not annotated."""
        if hasattr(self, "hours_recorded"):
            recorded, unrecorded = self.hours_recorded, self.time_unrecorded
        else:
            totals = Volunteer.objects.with_hours().filter(pk=self.pk)
            recorded, unrecorded = totals.values_list("hours_recorded", "time_unrecorded").get()
        # float: recorded hours are Decimal, a shift's length a timedelta; they don't add.
        return round(float(recorded or 0) + (unrecorded or datetime.timedelta(0)) / HOUR, 2)

    def is_cleared_on(self, day):
        """A verified check valid on `day` (the shift's local date)."""
        return self.checks.valid_on(day).exists()


class SafeguardingCheckQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=day),
            verified_on__isnull=False,
        )


class SafeguardingCheck(models.Model):
    # Records, not content: Wagtail's usage index would cost queries on every save.
    wagtail_reference_index_ignore = True

    class Kind(models.TextChoices):
        POLICE = "police", "Police clearance"
        DBS = "dbs", "DBS check (UK)"
        CHILD_PROTECTION = "child_protection", "Child protection certificate"
        REFERENCES = "references", "References checked"
        OTHER = "other", "Other"

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.POLICE)
    reference = models.CharField(max_length=100, blank=True, help_text="Certificate number.")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    verified_on = models.DateField(
        null=True, blank=True, help_text="Leave empty until you have seen the certificate."
    )
    expires_on = models.DateField(null=True, blank=True)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SafeguardingCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-verified_on", "-pk"]
        verbose_name = "safeguarding check"
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(verified_on__isnull=True)
                | Q(expires_on__gt=models.F("verified_on")),
                name="check_expires_after_verification",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.volunteer}"
