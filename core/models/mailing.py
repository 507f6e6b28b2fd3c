"""The suppression list every bulk send consults, and the webhook events that fed it."""

from django.db import models
from django.utils import timezone


class SuppressionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Suppression(models.Model):
    """An address bulk mail must not go to: a hard bounce, a complaint, repeated soft bounces."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", "Hard bounce"
        SOFT_BOUNCES = "soft_bounces", "Repeated soft bounces"
        COMPLAINT = "complaint", "Spam complaint"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed at the provider"
        MANUAL = "manual", "Added by staff"

    email = models.EmailField(unique=True)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    active = models.BooleanField(default=False, help_text="Suppressed now.")
    soft_bounce_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        # Moved from website without touching the database (core/migrations/0001).
        db_table = "website_suppression"

    def __str__(self):
        return f"{self.email} ({self.get_reason_display() or 'soft bounces'})"


class WebhookReceipt(models.Model):
    """A provider's tracking event that reached Vigil: it is acted on once, however often it
    is posted again (a provider's retry, or someone replaying a captured request)."""

    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the event's identity.")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "website_webhookreceipt"

    def __str__(self):
        return f"webhook event {self.key[:12]} at {self.received_at:%Y-%m-%d %H:%M}"
