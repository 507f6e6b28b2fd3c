"""Prayer requests: submitted, moderated, prayed for on the wall, answered."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class PrayerRequestQuerySet(models.QuerySet):
    def on_wall(self, now=None):
        """Approved or answered, published and not expired: what the public may see.

        Nor any whose recorded consent has ended, from the moment it ends (the take-down task
        then marks it withdrawn; website.consent).
        """
        from website.consent.status import without_ended_consent

        now = now or timezone.now()
        published = self.filter(
            Q(publish_at__isnull=True) | Q(publish_at__lte=now),
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            status__in=[PrayerRequest.Status.APPROVED, PrayerRequest.Status.ANSWERED],
        )
        return without_ended_consent(published, "prayer_request", timezone.localdate(now))

    def waiting(self):
        """Submitted and not yet moderated: what the moderators' queue holds."""
        return self.filter(status=PrayerRequest.Status.SUBMITTED)

    def wall_order(self):
        """Urgent first, then the least prayed for, so every request gets prayer."""
        return self.order_by("-urgent", "prayed_count", "-approved_at", "pk")


class PrayerRequest(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        ANSWERED = "answered", "Answered"
        ARCHIVED = "archived", "Archived"
        REJECTED = "rejected", "Rejected"
        # Off the wall because the consent recorded for it ended (website.consent); it cannot
        # be approved again until someone records current consent.
        WITHDRAWN = "withdrawn", "Taken down: consent ended"

    title = models.CharField(max_length=150)
    public_text = models.TextField(
        max_length=2000,
        help_text="Shown on the wall. No full names, exact places or phone numbers.",
    )
    restricted_text = models.TextField(
        max_length=4000,
        blank=True,
        help_text="Only in digests to verified supporters who asked for it. Never on the web.",
    )
    topics = models.ManyToManyField("prayer.Topic", blank=True, related_name="requests")
    regions = models.ManyToManyField("website.Region", blank=True, related_name="prayer_requests")
    campaign = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    urgent = models.BooleanField(default=False)
    publish_at = models.DateTimeField(null=True, blank=True, help_text="Empty: at approval.")
    expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    praise_report = models.TextField(
        max_length=2000, blank=True, help_text="How the prayer was answered."
    )
    prayed_count = models.PositiveIntegerField(default=0)

    submitter_name = models.CharField(max_length=100, blank=True)
    submitter_email = models.EmailField(blank=True)
    wants_reply = models.BooleanField(default=False)
    consent_to_publish = models.BooleanField(default=False)
    from_public_form = models.BooleanField(default=False)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderators_notified_at = models.DateTimeField(null=True, blank=True)
    # Consent to show it (website.consent): the link is this app's, so the editorial app's
    # records name no feature. `ConsentRecord.objects.filter(prayer_request=...)` reads through
    # it; a record is for one request at most (the link's key is the record).
    consent_records = models.ManyToManyField(
        "website.ConsentRecord",
        through="prayer.PrayerRequestConsentLink",
        blank=True,
        related_name="prayer_requests",
        related_query_name="prayer_request",
    )

    objects = PrayerRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "urgent", "prayed_count"])]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.pk and self.status in (self.Status.APPROVED, self.Status.ANSWERED):
            from website.consent.status import consent_has_ended

            if consent_has_ended(self):
                raise ValidationError({"status": CONSENT_ENDED_MESSAGE})


CONSENT_ENDED_MESSAGE = (
    "The consent recorded for this request was withdrawn or has expired, so it cannot go on "
    "the wall. Record new, current consent first (Consent › Prayer requests)."
)


class PrayerRequestConsentLink(models.Model):
    """A consent record (website.ConsentRecord, its `target` "prayer_request") is for this
    request. Deleting the request deletes its records too (prayer/consent.py), as the foreign
    key on the record did before prayer 0012 moved it here."""

    record = models.OneToOneField(
        "website.ConsentRecord", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    prayer_request = models.ForeignKey(PrayerRequest, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "prayer request consent link"

    def __str__(self):
        return f"Consent #{self.record_id} for request #{self.prayer_request_id}"


class PrayedMark(models.Model):
    """One visitor prayed for one request on one day: the "I prayed" count, at most once a day."""

    prayer_request = models.ForeignKey(PrayerRequest, on_delete=models.CASCADE, related_name="+")
    visitor = models.CharField(max_length=64, help_text="A hash; never an address in the clear.")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["prayer_request", "visitor", "day"], name="one_prayed_mark_per_day"
            )
        ]

    def __str__(self):
        return f"{self.prayer_request_id} on {self.day}"
