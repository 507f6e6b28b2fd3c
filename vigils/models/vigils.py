"""Prayer vigils: people sign up for time slots so that prayer does not stop.

Editors give the start and end as wall-clock times in the host's time zone; the page keeps
the matching UTC instants, and one VigilSlot row per slot start carries the slot's capacity
and how many places are taken. The database enforces the capacity (a conditional UPDATE on
`taken` and a CheckConstraint), so two people can never take the last place of a slot.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.dispatch import receiver
from django.http import HttpResponseNotAllowed
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.signals import page_published

from core.outbox import Delivery
from core.page_cache import CachedPage
from core.page_privacy import RestrictionsFromRequest
from core.routing import RouteViews
from core.time_zones import validate_time_zone, zone_or_utc
from vigils.models.calendars import time_zone_panel
from website.models.pages import SocialMetaMixin
from website.models.querysets import PublicPageManager

MAX_VIGIL_DAYS = 31


def local_instant(date, time, zone):
    """The UTC instant of a wall-clock time in ``zone``.

    A time skipped by a spring-forward change resolves to just after the gap and an
    ambiguous one to its first occurrence (fold=0), as zoneinfo does.
    """
    return datetime.datetime.combine(date, time, tzinfo=zone).astimezone(datetime.UTC)


class VigilPage(CachedPage, RestrictionsFromRequest, RoutablePageMixin, SocialMetaMixin, Page):
    # Kept for anonymous visitors while these areas are unchanged (core/page_cache.py).
    cache_areas = ("vigils",)

    # The routes' views, bound by the app's ready() (core/routing.py).
    route_views = RouteViews()

    class SlotLength(models.IntegerChoices):
        QUARTER = 15, "15 minutes"
        HALF = 30, "30 minutes"
        HOUR = 60, "60 minutes"

    intro = models.TextField(max_length=800, blank=True)
    campaign = models.ForeignKey(
        "campaigns.CampaignPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vigils",
        help_text="Optional: the campaign this vigil belongs to.",
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="The host's time zone: the start and end below are wall-clock times there.",
    )
    start_date = models.DateField()
    start_time = models.TimeField(default=datetime.time(0))
    end_date = models.DateField()
    end_time = models.TimeField(default=datetime.time(0))
    slot_minutes = models.PositiveSmallIntegerField(
        choices=SlotLength.choices, default=SlotLength.HOUR, verbose_name="slot length"
    )
    capacity = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        verbose_name="people per slot",
        help_text="1 for one person per slot; leave empty for no limit.",
    )
    starts_at = models.DateTimeField(null=True, editable=False)
    ends_at = models.DateTimeField(null=True, editable=False)

    objects = PublicPageManager()

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("campaign"),
        MultiFieldPanel(
            [
                time_zone_panel(),
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("start_time")]),
                FieldRowPanel([FieldPanel("end_date"), FieldPanel("end_time")]),
                FieldRowPanel([FieldPanel("slot_minutes"), FieldPanel("capacity")]),
            ],
            heading="When and how many",
            help_text="Changing the times later keeps every slot someone already signed up for.",
        ),
        InlinePanel("themes", label="Theme", heading="Themes for some hours (optional)"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    # Under the home page: the prayer wall and campaign index take no other children.
    parent_page_types = ["website.HomePage"]
    subpage_types: list[str] = []
    template = "vigils/vigil_page.html"

    class Meta:
        db_table = "prayer_vigilpage"
        verbose_name = "prayer vigil"

    @property
    def zone(self):
        return zone_or_utc(self.time_zone)

    def compute_instants(self):
        if self.start_date and self.end_date:
            self.starts_at = local_instant(self.start_date, self.start_time, self.zone)
            self.ends_at = local_instant(self.end_date, self.end_time, self.zone)

    def clean(self):
        super().clean()
        if not (self.start_date and self.end_date and self.start_time and self.end_time):
            return
        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return  # the field's own validator explains it
        self.compute_instants()
        if self.ends_at <= self.starts_at:
            raise ValidationError({"end_date": "The vigil must end after it starts."})
        if self.ends_at - self.starts_at > datetime.timedelta(days=MAX_VIGIL_DAYS):
            raise ValidationError({"end_date": f"A vigil can last {MAX_VIGIL_DAYS} days at most."})

    def save(self, *args, **kwargs):
        self.compute_instants()
        return super().save(*args, **kwargs)

    def is_running(self, now=None):
        now = now or timezone.now()
        return bool(self.starts_at and self.starts_at <= now < self.ends_at)

    # Routes: the page with its grid, the sign-up POST and the live "pulse" fragment.

    @path("", name="vigil")
    def vigil(self, request):
        return self.route_views["vigil"](request, self)

    @path("signup/", name="signup")
    def signup(self, request):
        if request.method != "POST":
            if request.method == "GET":
                return self.vigil(request)
            return HttpResponseNotAllowed(["GET", "POST"])
        return self.route_views["signup"](request, self)

    @path("pulse/", name="pulse")
    def pulse(self, request):
        return self.route_views["pulse"](request, self)

    def route_url(self, name):
        return self.url + self.reverse_subpage(name)


class VigilTheme(Orderable):
    """A focus for some hours: every day, or on one date only (host time)."""

    page = ParentalKey(VigilPage, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(max_length=80, help_text="e.g. “Children at risk”.")
    date = models.DateField(null=True, blank=True, help_text="Leave empty for every day.")
    start_time = models.TimeField(help_text="From this time (host time zone)…")
    end_time = models.TimeField(
        help_text="…until this time. An end before the start runs past midnight."
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("date"),
        FieldRowPanel([FieldPanel("start_time"), FieldPanel("end_time")]),
    ]

    class Meta(Orderable.Meta):
        db_table = "prayer_vigiltheme"
        verbose_name = "vigil theme"

    def __str__(self):
        return self.title

    def covers(self, local_start):
        """Whether a slot starting at ``local_start`` (host wall-clock time) has this theme."""
        if self.date and self.date != local_start.date():
            return False
        moment = local_start.time()
        if self.start_time <= self.end_time:
            return self.start_time <= moment < self.end_time
        return moment >= self.start_time or moment < self.end_time


class VigilSlot(models.Model):
    vigil = models.ForeignKey(VigilPage, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    taken = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "prayer_vigilslot"
        ordering = ["vigil", "starts_at"]
        verbose_name = "vigil slot"
        indexes = [models.Index(fields=["starts_at"], name="vigil_slot_starts_at")]
        constraints = [
            models.UniqueConstraint(fields=["vigil", "starts_at"], name="one_vigil_slot_per_start"),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True)
                | models.Q(taken__lte=models.F("capacity")),
                name="vigil_slot_within_capacity",
            ),
        ]

    def __str__(self):
        return f"{self.vigil_id} {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_full(self):
        return self.capacity is not None and self.taken >= self.capacity

    @property
    def places_left(self):
        return None if self.capacity is None else max(self.capacity - self.taken, 0)


class VigilSignup(models.Model):
    """One person in one vigil: their slots, how they appear, and their revocable links."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"

    vigil = models.ForeignKey(VigilPage, on_delete=models.CASCADE, related_name="signups")
    email = models.EmailField(help_text="Stored lower-case.")
    display_name = models.CharField(
        max_length=60, blank=True, help_text="Shown in the public grid; empty shows “someone”."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vigil_signups",
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    pending_request = models.JSONField(
        null=True,
        blank=True,
        help_text="Slots, name and zone chosen without an account, waiting for the email link.",
    )
    wants_organiser_email = models.BooleanField(
        default=True, help_text="Off when they unsubscribed from the organisers' messages."
    )
    link_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "prayer_vigilsignup"
        ordering = ["-created_at"]
        verbose_name = "vigil sign-up"
        constraints = [
            models.UniqueConstraint(fields=["vigil", "email"], name="one_vigil_signup_per_address")
        ]

    def __str__(self):
        return self.public_name

    @property
    def public_name(self):
        return self.display_name or "Someone"


class SlotBooking(models.Model):
    """A place in one slot. Reminders are claimed by setting their time, once."""

    signup = models.ForeignKey(VigilSignup, on_delete=models.CASCADE, related_name="bookings")
    slot = models.ForeignKey(VigilSlot, on_delete=models.CASCADE, related_name="bookings")
    created_at = models.DateTimeField(default=timezone.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    day_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    soon_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "prayer_slotbooking"
        ordering = ["slot__starts_at"]
        verbose_name = "vigil slot booking"
        constraints = [
            models.UniqueConstraint(
                fields=["signup", "slot"], name="one_booking_per_person_and_slot"
            )
        ]

    def __str__(self):
        return f"{self.signup_id} in {self.slot_id}"


class VigilMessage(models.Model):
    """An organiser's email to everyone signed up for a vigil, sent once by a task."""

    vigil = models.ForeignKey(VigilPage, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(max_length=150)
    body = models.TextField(
        max_length=5000,
        help_text="Plain text. It goes to everyone holding a slot in the vigil as soon as you "
        "save, except people who unsubscribed from the organisers' messages.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "prayer_vigilmessage"
        ordering = ["-created_at"]
        verbose_name = "vigil message"

    def __str__(self):
        return self.subject


class VigilMessageDelivery(Delivery):
    """One sign-up's copy of an organisers' message, sent by the outbox."""

    # Not "message": its column would clash with the provider's message_id.
    vigil_message = models.ForeignKey(
        VigilMessage, on_delete=models.CASCADE, related_name="deliveries"
    )
    signup = models.ForeignKey(
        VigilSignup, on_delete=models.CASCADE, related_name="message_deliveries"
    )

    class Meta:
        db_table = "prayer_vigilmessagedelivery"
        constraints = [
            models.UniqueConstraint(
                fields=["vigil_message", "signup"], name="one_delivery_per_vigil_message_and_signup"
            )
        ]
        indexes = [models.Index(fields=["vigil_message", "status"])]

    def __str__(self):
        return f"{self.vigil_message_id} → {self.signup_id}: {self.status}"


@receiver(page_published)
def create_slots_on_publish(sender, instance, **kwargs):
    if isinstance(instance, VigilPage):
        from vigils.slots import sync_slots

        sync_slots(instance)
