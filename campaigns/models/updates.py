"""Updates coordinators send to registered churches, and one delivery row per recipient."""

import html

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField

from core.outbox import Delivery

UPDATE_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]


class CampaignUpdate(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    campaign = models.ForeignKey(
        "campaigns.CampaignPage", on_delete=models.CASCADE, related_name="updates"
    )
    subject = models.CharField(max_length=150)
    body = RichTextField(features=UPDATE_FEATURES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    sent_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When sending to everyone started."
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)

    # A plain list of campaigns: coordinators need no page permissions to pick one.
    panels = [
        FieldPanel("campaign", widget=forms.Select),
        FieldPanel("subject"),
        FieldPanel("body"),
    ]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "campaign update"

    def __str__(self):
        return self.subject

    def clean(self):
        super().clean()
        # "Required" is not enough: Draftail sends an empty paragraph when the body was
        # clicked but nothing typed, or the last words were typed a moment before saving.
        # Such an update, once sent, is an empty email to every church.
        if not html.unescape(strip_tags(self.body or "")).strip():
            raise ValidationError({"body": "Please write the update: it has no text yet."})

    @property
    def is_draft(self):
        return self.sent_at is None


class UpdateDelivery(Delivery):
    """One contact's copy of one update: claimed before sending, marked sent after."""

    update = models.ForeignKey(CampaignUpdate, on_delete=models.CASCADE, related_name="deliveries")
    contact = models.ForeignKey(
        "campaigns.RegistrationContact", on_delete=models.CASCADE, related_name="deliveries"
    )

    class Meta:
        verbose_name_plural = "update deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["update", "contact"], name="one_delivery_per_contact_and_update"
            )
        ]
        indexes = [models.Index(fields=["update", "status"])]

    def __str__(self):
        return f"{self.update_id} → {self.contact_id}: {self.status}"
