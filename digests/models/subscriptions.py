"""Supporters who receive prayer digests by email, with double opt-in."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.time_zones import validate_time_zone


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Subscription.Status.ACTIVE)


class Subscription(models.Model):
    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    email = models.EmailField(unique=True, help_text="Stored lower-case.")
    name = models.CharField(max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prayer_subscriptions",
    )
    topics = models.ManyToManyField(
        "prayer.Topic", blank=True, related_name="subscriptions", help_text="None: all topics."
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default="weekly")
    weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY, help_text="For weekly digests."
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    wants_restricted = models.BooleanField(
        default=False, help_text="Asked for restricted prayer items."
    )
    restricted_verified = models.BooleanField(
        default=False,
        help_text="Verified by staff: may receive restricted items if they asked for them.",
    )
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.PENDING)
    pending_changes = models.JSONField(
        null=True, blank=True, help_text="New preferences waiting for their confirmation link."
    )
    link_version = models.PositiveIntegerField(
        default=0, help_text="Raised to revoke every link sent before."
    )

    consent_at = models.DateTimeField(null=True, blank=True)
    consent_source = models.CharField(max_length=200, blank=True)
    consent_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    # Indexed together with status (Meta.indexes): the dispatch asks "active and due".
    next_digest_at = models.DateTimeField(
        null=True, blank=True, help_text="When the next digest is due (UTC)."
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        db_table = "prayer_subscription"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_digest_at"])]

    def __str__(self):
        return self.email

    @property
    def receives_restricted(self):
        return self.wants_restricted and self.restricted_verified
