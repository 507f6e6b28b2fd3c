"""Digest issues and their deliveries: each due subscriber gets each issue exactly once."""

from django.db import models
from django.utils import timezone

from core.outbox import Delivery


class DigestIssue(models.Model):
    """One rendered digest: the same content for every subscriber it goes to."""

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        DONE = "done", "Sent"

    content_key = models.CharField(max_length=64, help_text="Hash of the content.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField()
    browser_html = models.TextField(help_text="The public view: never any restricted item.")
    includes_restricted = models.BooleanField(default=False)
    request_ids = models.JSONField(default=list)
    story_ids = models.JSONField(default=list)
    # With the two above, what the browser view needs to be rendered again when a request or
    # story in it loses its consent (digests/redaction.py).
    praise_ids = models.JSONField(default=list)
    campaign_ids = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "prayer_digestissue"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subject} ({self.created_at:%Y-%m-%d %H:%M})"


class DigestDelivery(Delivery):
    """One subscriber's copy of one issue. Claimed before sending, marked sent after."""

    # No single-column indexes: (issue, status) and the unique (subscription, issue) cover
    # every lookup, and each index a row carries is written again when a batch claims and
    # marks it (100,000 rows a dispatch).
    issue = models.ForeignKey(
        DigestIssue, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    subscription = models.ForeignKey(
        "digests.Subscription", on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )

    class Meta:
        db_table = "prayer_digestdelivery"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "issue"], name="one_delivery_per_subscriber_and_issue"
            )
        ]
        indexes = [
            models.Index(fields=["issue", "status"]),
            # The back office's list of failed deliveries, across issues.
            models.Index(
                fields=["status"],
                condition=models.Q(status="failed"),
                name="failed_digest_deliveries",
            ),
        ]

    def __str__(self):
        return f"{self.issue_id} → {self.subscription_id}: {self.status}"
