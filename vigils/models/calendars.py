"""Prayer calendars: a dated prayer guide, one focus a day, with feeds and a daily email.

Day N of a calendar falls on ``start_date + N - 1``: editors order the days in one inline
panel and the dates follow, so moving a day moves its date with it. "Today" is the date in
the calendar's own time zone; subscribers get each day's entry at their own hour in theirs.
"""

import dataclasses
import datetime
import zoneinfo

from django import forms
from django.db import models
from django.http import Http404, HttpResponseNotAllowed
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Orderable, Page
from wagtail.search import index

from core import page_cache
from core.calendar_links import feed_address
from core.outbox import Delivery
from core.page_cache import CachedPage
from core.page_privacy import RestrictionsFromRequest
from core.routing import RouteViews
from core.time_zones import validate_time_zone, zone_or_utc
from website.models.pages import SocialMetaMixin
from website.models.querysets import PublicPageManager

TIME_ZONE_HELP = "Decides when each day begins for the page and the RSS feed."


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def time_zone_panel(name="time_zone", **kwargs):
    """A free-text zone in the admin would invite typos: editors pick from the list."""
    return FieldPanel(name, widget=forms.Select(choices=time_zone_choices), **kwargs)


# A long calendar is shown a week at a time, so that its page stays light (issue 16); one of
# up to two weeks is shown whole.
WINDOW_DAYS = 7


@dataclasses.dataclass
class DayWindow:
    first: int  # day numbers, from 1, both included
    last: int
    count: int

    @property
    def earlier(self):
        """The first day of the week before, or None."""
        return max(self.first - WINDOW_DAYS, 1) if self.first > 1 else None

    @property
    def later(self):
        return self.last + 1 if self.last < self.count else None


def day_window(count, today_number, wanted=None):
    """The days a long calendar's page shows: a week from ``?from=N`` when N is one of its
    days, else from today's (the first week before the calendar starts, the last after it
    ends). None when the calendar is short enough to show whole."""
    if count <= 2 * WINDOW_DAYS:
        return None
    first = today_number
    valid = isinstance(wanted, str) and wanted.isascii() and wanted.isdigit() and len(wanted) < 6
    if valid and 1 <= int(wanted) <= count:
        first = int(wanted)
    first = max(1, min(first, count - WINDOW_DAYS + 1))
    return DayWindow(first=first, last=first + WINDOW_DAYS - 1, count=count)


class PrayerCalendarPage(
    CachedPage, RestrictionsFromRequest, RoutablePageMixin, SocialMetaMixin, Page
):
    # Kept for anonymous visitors while these areas are unchanged (core/page_cache.py).
    cache_areas = ("vigils", "prayer")

    # The routes' views, bound by the app's ready() (core/routing.py).
    route_views = RouteViews()

    intro = models.TextField(max_length=600, blank=True)
    campaign = models.ForeignKey(
        "campaigns.CampaignPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prayer_calendars",
        help_text="Optional: the campaign this prayer guide belongs to.",
    )
    start_date = models.DateField(help_text="The date of day 1.")
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone], help_text=TIME_ZONE_HELP
    )

    objects = PublicPageManager()

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("start_date"), time_zone_panel(), FieldPanel("campaign")],
            heading="When",
        ),
        InlinePanel("days", label="Day", heading="Days (in order: the first is day 1)"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    # Under the home page: the prayer wall and campaign index take no other children.
    parent_page_types = ["website.HomePage"]
    subpage_types: list[str] = []
    template = "vigils/calendars/calendar_page.html"

    class Meta:
        db_table = "prayer_prayercalendarpage"
        verbose_name = "prayer calendar"

    @property
    def zone(self):
        return zone_or_utc(self.time_zone)

    def today(self, now=None):
        return (now or timezone.now()).astimezone(self.zone).date()

    def cache_changes_at(self):
        """Its next day begins (in the calendar's zone): the page and the feed show it then,
        not up to PAGE_CACHE_SECONDS later (core/page_cache.py)."""
        return self.day_begins_at(self.today() + datetime.timedelta(days=1))

    def day_begins_at(self, date):
        """Midnight at the start of ``date`` in the calendar's zone, as UTC."""
        local = datetime.datetime.combine(date, datetime.time(0), tzinfo=self.zone)
        return local.astimezone(datetime.UTC)

    def dated_days(self):
        """[(number, date, day)] in order, images ready to render."""
        days = self.days.select_related("image").prefetch_related("image__renditions")
        return [
            (number, self.start_date + datetime.timedelta(days=number - 1), day)
            for number, day in enumerate(days, start=1)
        ]

    @property
    def end_date(self):
        count = self.days.count()
        return self.start_date + datetime.timedelta(days=max(count, 1) - 1)

    def day_for(self, date):
        """(number, day) falling on ``date``, or None."""
        number = (date - self.start_date).days + 1
        if number < 1:
            return None
        day = self.days.select_related("image").all()[number - 1 : number]
        day = next(iter(day), None)
        return (number, day) if day else None

    def day_url(self, number):
        return self.url + self.reverse_subpage("day", args=[number])

    def full_day_url(self, number):
        return self.full_url + self.reverse_subpage("day", args=[number])

    def feed_urls(self):
        return {
            "rss_url": self.url + self.reverse_subpage("feed"),
            "ics_url": self.url + self.reverse_subpage("ics"),
            "ics_feed_url": feed_address(self.url + self.reverse_subpage("ics")),
            "subscribe_url": self.url + self.reverse_subpage("subscribe"),
        }

    def calendar_context(self, request, form=None):
        from vigils.forms import CalendarSubscribeForm

        today = self.today()
        initial = {"email": request.user.email} if request.user.is_authenticated else {}
        dated_days = self.dated_days()
        window = day_window(
            len(dated_days), (today - self.start_date).days + 1, request.GET.get("from")
        )
        page_cache.declare(
            request,
            params=("from",),
            canonical=window is None
            and "from" not in request.GET
            or window is not None
            and page_cache.given_as_is(request, "from", window.first),
        )
        return {
            "dated_days": dated_days,
            "window": window,
            "shown_days": dated_days[window.first - 1 : window.last] if window else dated_days,
            "today": today,
            "subscribe_form": form or CalendarSubscribeForm(initial=initial),
            **self.feed_urls(),
        }

    @path("", name="calendar")
    def calendar(self, request):
        return self.render(request, context_overrides=self.calendar_context(request))

    @path("day/<int:number>/", name="day")
    def day(self, request, number):
        for day_number, date, day in self.dated_days():
            if day_number == number:
                return self.render(
                    request,
                    template="vigils/calendars/day.html",
                    context_overrides={
                        "number": number,
                        "date": date,
                        "day": day,
                        "today": self.today(),
                        **self.feed_urls(),
                    },
                )
        raise Http404("No such day")

    @path("feed/", name="feed")
    def feed(self, request):
        return self.route_views["feed"](self)(request)

    @path("ics/", name="ics")
    def ics(self, request):
        return self.route_views["ics"](request, self)

    @path("subscribe/", name="subscribe")
    def subscribe(self, request):
        if request.method != "POST":
            if request.method == "GET":
                return self.calendar(request)
            return HttpResponseNotAllowed(["GET", "POST"])
        return self.route_views["subscribe"](request, self)


class PrayerCalendarDay(Orderable):
    page = ParentalKey(PrayerCalendarPage, on_delete=models.CASCADE, related_name="days")
    title = models.CharField(max_length=120, help_text="The day's focus, e.g. “Children at risk”.")
    reading = models.TextField(
        max_length=2000, blank=True, help_text="A short reading: a Bible passage or a reflection."
    )
    reading_reference = models.CharField(
        max_length=80, blank=True, help_text="Optional, e.g. “Isaiah 61:1–3”."
    )
    prayer_points = models.TextField(
        max_length=2000, help_text="One prayer point per line.", blank=True
    )
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("reading"),
        FieldPanel("reading_reference"),
        FieldPanel("prayer_points"),
        FieldPanel("image"),
    ]

    class Meta(Orderable.Meta):
        db_table = "prayer_prayercalendarday"
        verbose_name = "prayer calendar day"

    def __str__(self):
        return self.title

    @property
    def points(self):
        return [line.strip(" -•*\t") for line in self.prayer_points.splitlines() if line.strip()]


class CalendarSubscription(models.Model):
    """Someone who receives a calendar's entry each day, at their hour in their time zone."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    calendar = models.ForeignKey(
        PrayerCalendarPage, on_delete=models.CASCADE, related_name="subscriptions"
    )
    email = models.EmailField(help_text="Stored lower-case.")
    hour = models.PositiveSmallIntegerField(
        default=7, help_text="Local hour (0–23) the day's entry arrives."
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.PENDING)
    link_version = models.PositiveIntegerField(
        default=0, help_text="Raised to revoke every link sent before."
    )
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "prayer_calendarsubscription"
        ordering = ["-created_at"]
        verbose_name = "prayer calendar subscription"
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "email"], name="one_calendar_subscription_per_address"
            ),
            models.CheckConstraint(
                condition=models.Q(hour__lte=23), name="calendar_subscription_hour_of_day"
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.calendar_id}"


class CalendarDaySend(models.Model):
    """One calendar date's entry going out: the outbox's parent of that date's deliveries
    (vigils/messages.py). Subscribers join it as their hour comes round the world, so a send
    that finished opens again when later rows are written."""

    calendar = models.ForeignKey(
        PrayerCalendarPage, on_delete=models.CASCADE, related_name="day_sends"
    )
    date = models.DateField()
    number = models.PositiveSmallIntegerField(help_text="The day of the calendar: 1, 2 ...")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "prayer calendar day sent"
        verbose_name_plural = "prayer calendar days sent"
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_send_per_calendar_day")
        ]

    def __str__(self):
        return f"{self.calendar_id} day {self.number} ({self.date})"


class CalendarDelivery(Delivery):
    """One subscriber's email for one date: created once, sent by the outbox."""

    Status = Delivery.Status

    send = models.ForeignKey(
        CalendarDaySend,
        on_delete=models.CASCADE,
        related_name="deliveries",
        null=True,
        blank=True,
        help_text="Empty on rows sent before calendar days went through the outbox.",
    )
    subscription = models.ForeignKey(
        CalendarSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    date = models.DateField(help_text="The calendar date whose entry this is.")

    class Meta:
        db_table = "prayer_calendardelivery"
        verbose_name = "prayer calendar delivery"
        verbose_name_plural = "prayer calendar deliveries"
        indexes = [models.Index(fields=["send", "status"], name="calendar_delivery_send_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "date"], name="one_calendar_email_per_subscriber_and_day"
            )
        ]

    def __str__(self):
        return f"{self.subscription_id} {self.date}: {self.status}"
