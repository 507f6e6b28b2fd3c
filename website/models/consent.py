"""Consent records: who agreed that a story, a photo or a prayer request may be public, until when.

A record belongs to exactly one piece of content: a story or a photo (this app's, a foreign key
here), or a feature app's content (a prayer request). A feature app's content points at its
records from its own side (a many-to-many field through a link table with one row per record,
e.g. prayer.PrayerRequest.consent_records) and registers the relation's query name as a
consent target (website/consent/targets.py); a record for it says which in `target`. So this
app's models and migrations know no feature app. Content with no record is not governed by
consent (pages about a centre, stock photos); content with records is public only while at
least one of them is current. What happens when none is (the content goes off the site) lives
in website/consent/.

Who gave consent is personal, sometimes a survivor's real name: it is shown to staff only,
never on a public page, and never in a log entry (a record names itself by number).
"""

import datetime
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from website.consent import targets

# This app's content: foreign keys on the record.
EDITORIAL_FIELDS = ("story", "image")
# The target the prayer app registers its requests under (prayer/apps.py): for the Prayer
# moderators' list of records (PrayerRequestConsent), whose permissions are this app's.
PRAYER_REQUEST = "prayer_request"


def content_fields():
    """What a record may be for: a story, a photo, or a registered feature app's target."""
    return (*EDITORIAL_FIELDS, *targets.TARGETS)


def exactly_one_content():
    """A check condition: one of story, image and target is set and the others are empty.
    Which of a feature's content it is, is that app's link table's to hold (one row a record)."""
    return (
        Q(story__isnull=False, image__isnull=True, target="")
        | Q(story__isnull=True, image__isnull=False, target="")
        | (Q(story__isnull=True, image__isnull=True) & ~Q(target=""))
    )


def target_relation(field):
    """The relation a feature app's content has to records (its query name is `field`)."""
    try:
        return ConsentRecord._meta.get_field(field)
    except FieldDoesNotExist:
        return None


def current_on(today):
    """The condition for a record under which its content may be public on `today`."""
    return (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today)) & (
        Q(expires_on__isnull=True) | Q(expires_on__gt=today)
    )


class ConsentRecordQuerySet(models.QuerySet):
    def current(self, today=None):
        return self.filter(current_on(today or timezone.localdate()))

    def ending_soon(self, today, days):
        """Current records that end within `days`, one per content, where no other current
        record for the same content lasts longer: the content itself leaves the site then."""
        outlasting = ConsentRecord.objects.filter(
            current_on(today),
            same_content(),
            Q(expires_on__isnull=True)
            | Q(expires_on__gt=OuterRef("expires_on"))
            | Q(expires_on=OuterRef("expires_on"), pk__gt=OuterRef("pk")),
        )
        return (
            self.filter(current_on(today))
            .filter(expires_on__lte=today + datetime.timedelta(days=days))
            .exclude(Exists(outlasting))
        )

    def for_content(self, content):
        return self.filter(**{content_field(content): content.pk})

    def editorial(self):
        return self.filter(target="")

    def for_target(self, field):
        return self.filter(target=field)

    def prayer(self):
        return self.for_target(PRAYER_REQUEST)

    def with_content(self):
        """Each record's content loaded with it: a join for stories and photos, one query per
        registered target for the others (however many records)."""
        relations = filter(None, map(target_relation, targets.TARGETS))
        accessors = [relation.get_accessor_name() for relation in relations]
        return self.select_related(*EDITORIAL_FIELDS).prefetch_related(*accessors)

    def create_for(self, content, **fields):
        """A record for `content` (a story, photo or registered feature's content), saved."""
        field = content_field(content)
        if field in EDITORIAL_FIELDS:
            return self.create(**{field: content}, **fields)
        with transaction.atomic():
            record = self.create(target=field, **fields)
            record.link_target(content)
        return record


def same_content():
    """In a subquery over records: those for the same content as the outer record."""
    condition = Q(story_id=OuterRef("story_id")) | Q(image_id=OuterRef("image_id"))
    for field in targets.TARGETS:
        if target_relation(field):
            condition |= Q(**{field: OuterRef(field)})
    return condition


def content_field(content):
    """The field of a consent record that points at `content` (a story, image or request)."""
    from wagtail.images.models import AbstractImage

    from website.models.news import StoryPage

    if isinstance(content, StoryPage):
        return "story"
    if isinstance(content, AbstractImage):
        return "image"
    # A feature app's content (a prayer request): by the model its registered relation is on.
    for field in targets.TARGETS:
        relation = target_relation(field)
        if relation and isinstance(content, relation.related_model):
            return field
    raise TypeError(f"Consent is not recorded for {type(content).__name__}")


class ConsentRecord(models.Model):
    # Records, not content: Wagtail's usage index would cost queries on every save.
    wagtail_reference_index_ignore = True

    story = models.ForeignKey(
        "website.StoryPage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="consent_records",
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="consent_records",
        verbose_name="photo",
    )
    # The registered feature target this record is for (e.g. "prayer_request"), else empty.
    target = models.CharField(max_length=50, blank=True, default="", editable=False)
    given_by = models.CharField(
        "consent given by",
        max_length=200,
        help_text="The person, or a description of them (e.g. “Asha's mother, her guardian”). "
        "Staff only: never shown on the site.",
    )
    covers = models.TextField(
        "what it covers",
        max_length=1000,
        help_text="What the person agreed to: e.g. “her story with a changed name, no face”.",
    )
    given_on = models.DateField(default=timezone.localdate)
    expires_on = models.DateField(
        null=True,
        blank=True,
        help_text="The content leaves the site on this day. Empty: no end date was agreed.",
    )
    withdrawn_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the person withdrew consent. The content leaves the site at once.",
    )
    notes = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Set on the record whose end took the content off the site, and when staff were told.
    taken_down_at = models.DateTimeField(null=True, blank=True, editable=False)
    staff_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = "consent record"
        constraints = [
            models.CheckConstraint(
                condition=exactly_one_content(), name="consent_for_exactly_one_content"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("given_on")),
                name="consent_expires_after_given",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]
        indexes = [
            models.Index(
                fields=["taken_down_at"],
                condition=Q(taken_down_at__isnull=False, staff_notified_at__isnull=True),
                name="consent_takedowns_to_notify",
            )
        ]

    def __str__(self):
        # No name here: this is the title Wagtail's audit log keeps.
        return f"Consent #{self.pk} for {self.content_label}"

    @property
    def content(self):
        return self.story or self.image or self.target_content

    @property
    def target_content(self):
        """The feature app's content this record is for (through that app's link), if any."""
        relation = target_relation(self.target) if self.target and self.pk else None
        if relation is None:
            return None
        return next(iter(getattr(self, relation.get_accessor_name()).all()), None)

    def link_target(self, content):
        """Point this saved record (its `target` set) at a feature app's `content`."""
        getattr(self, target_relation(self.target).get_accessor_name()).set([content])

    @property
    def content_kind(self):
        if self.story_id:
            return "story"
        if self.image_id:
            return "photo"
        if relation := target_relation(self.target) if self.target else None:
            return str(relation.related_model._meta.verbose_name)
        return "content"

    @property
    def content_label(self):
        content = self.content
        return f"{self.content_kind} “{content}”" if content else self.content_kind

    @property
    def ends_on(self):
        """The first day the content may no longer be public, if one is known."""
        days = [day for day in (self.withdrawn_on, self.expires_on) if day]
        return min(days) if days else None

    @property
    def end_reason(self):
        if self.withdrawn_on and self.ends_on == self.withdrawn_on:
            return "withdrawn"
        return "expired"

    def is_current(self, today=None):
        today = today or timezone.localdate()
        return self.ends_on is None or self.ends_on > today

    def clean(self):
        super().clean()
        chosen = [value for value in (self.story_id, self.image_id, self.target) if value]
        if len(chosen) != 1:
            raise ValidationError(
                "Choose the one story, photo or prayer request this consent is for."
            )
        today = timezone.localdate()
        errors = {}
        if self.given_on and self.given_on > today:
            errors["given_on"] = "Consent cannot be given in the future."
        if self.withdrawn_on and self.withdrawn_on > today:
            errors["withdrawn_on"] = "Record a withdrawal on or after the day it happened."
        elif self.withdrawn_on and self.given_on and self.withdrawn_on < self.given_on:
            errors["withdrawn_on"] = "Consent cannot be withdrawn before it was given."
        if self.expires_on and self.given_on and self.expires_on <= self.given_on:
            errors["expires_on"] = "Consent must end after the day it was given."
        if errors:
            raise ValidationError(errors)


ConsentRecordManager = models.Manager.from_queryset(ConsentRecordQuerySet)


class EditorialConsentManager(ConsentRecordManager):
    def get_queryset(self):
        return super().get_queryset().editorial()


class PrayerConsentManager(ConsentRecordManager):
    def get_queryset(self):
        return super().get_queryset().prayer()


class EditorialConsent(ConsentRecord):
    """Consent for stories and photos: what Editors manage (permissions of their own)."""

    objects: ClassVar[EditorialConsentManager] = EditorialConsentManager()

    class Meta:
        proxy = True
        verbose_name = "story or photo consent"
        verbose_name_plural = "story and photo consent"


class PrayerRequestConsent(ConsentRecord):
    """Consent for prayer requests: what Prayer moderators manage."""

    objects: ClassVar[PrayerConsentManager] = PrayerConsentManager()

    class Meta:
        proxy = True
        verbose_name = "prayer request consent"
        verbose_name_plural = "prayer request consent"
