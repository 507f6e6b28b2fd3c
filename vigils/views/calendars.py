"""Prayer calendar views: the RSS and ICS feeds, the daily-email sign-up and its links."""

import logging

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.formguard import error_status, within_limits
from core.signing import LinkRefused, link_refused
from core.time_zones import known_zones
from vigils import calendar_emails, calendar_subscriptions
from vigils.calendars import calendar_ics_bytes
from vigils.forms import CalendarSubscribeForm
from vigils.models import CalendarSubscription

logger = logging.getLogger(__name__)

TEMPLATES = "vigils/calendars"
RATE_SCOPE = "calendar-subscribe"
CALENDAR_SUBSCRIPTIONS = CalendarSubscription.objects.select_related("calendar")


class CalendarDaysFeed(Feed):
    """RSS of the calendar's days, each appearing only once its date has begun."""

    feed_type = Rss201rev2Feed

    def __init__(self, calendar):
        super().__init__()
        self.calendar = calendar

    def title(self):
        return f"{settings.WAGTAIL_SITE_NAME}: {self.calendar.title}"

    def link(self):
        return self.calendar.url

    def description(self):
        return self.calendar.intro or f"One prayer focus a day: {self.calendar.title}."

    def items(self):
        now = timezone.now()
        released = [
            (number, date, day)
            for number, date, day in self.calendar.dated_days()
            if self.calendar.day_begins_at(date) <= now
        ]
        return list(reversed(released))

    def item_title(self, item):
        number, _, day = item
        return f"Day {number}: {day.title}"

    def item_description(self, item):
        _, _, day = item
        parts = [day.reading]
        if day.reading_reference:
            parts.append(f"({day.reading_reference})")
        parts += [f"• {point}" for point in day.points]
        return "\n".join(part for part in parts if part)

    def item_link(self, item):
        return self.calendar.day_url(item[0])

    def item_guid(self, item):
        return f"{self.calendar.full_url}day/{item[0]}/"

    def item_guid_is_permalink(self, item):
        return True

    def item_pubdate(self, item):
        return self.calendar.day_begins_at(item[1])


def calendar_ics(request, calendar):
    response = HttpResponse(
        calendar_ics_bytes(calendar), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{calendar.slug}.ics"'
    return response


def subscribe(request, calendar):
    form = CalendarSubscribeForm(request.POST)
    if form.is_bot:
        return redirect("vigils:calendar-check-email")
    if not form.is_valid() or not within_limits(
        request, form, RATE_SCOPE, email=form.cleaned_data["email"]
    ):
        response = calendar.render(
            request, context_overrides=calendar.calendar_context(request, form=form)
        )
        response.status_code = error_status(form)
        return response
    email = form.cleaned_data["email"]
    choices = {"hour": form.cleaned_data["hour"], "time_zone": form.cleaned_data["time_zone"]}
    now = timezone.now()
    consent = {"consent_at": now, "consent_source": request.path[:200]}
    subscription = calendar_subscriptions.record_signup(calendar, email, choices, consent, now)
    if calendar_subscriptions.is_verified_address(request.user, email):
        # Their account already proves the address: no second confirmation needed.
        calendar_subscriptions.activate(subscription.pk, choices, now)
        logger.info("Calendar subscription %s active (signed-in)", subscription.pk)
        return render(
            request,
            f"{TEMPLATES}/confirmed.html",
            {"calendar": calendar, "subscription": subscription, **choices},
        )
    # Choices on an existing row change only when the new confirmation link is followed.
    subscription.hour, subscription.time_zone = choices["hour"], choices["time_zone"]
    calendar_emails.send_confirm_link(subscription)
    logger.info("Calendar subscription %s asked to confirm", subscription.pk)
    return redirect("vigils:calendar-check-email")


@require_GET
def check_your_email(request):
    return render(request, f"{TEMPLATES}/check_your_email.html")


def bad_link(request, refused):
    return link_refused(
        request,
        refused,
        new_link_hint="To start the daily email again, sign up on the prayer calendar's page.",
    )


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The confirmation link carries the chosen hour and zone, so old links keep their choice."""
    try:
        subscription = calendar_emails.CONFIRM.resolve(token, CALENDAR_SUBSCRIPTIONS)
    except LinkRefused as refused:
        return bad_link(request, refused)
    choices = choices_from_query(request, subscription)
    context = {"subscription": subscription, "calendar": subscription.calendar, **choices}
    if request.method == "GET":
        return render(request, f"{TEMPLATES}/confirm.html", context)
    calendar_subscriptions.activate(subscription.pk, choices, timezone.now())
    logger.info("Calendar subscription %s confirmed", subscription.pk)
    return render(request, f"{TEMPLATES}/confirmed.html", context)


def choices_from_query(request, subscription):
    try:
        hour = int(request.GET.get("hour", subscription.hour))
    except ValueError:
        hour = subscription.hour
    zone = request.GET.get("tz", subscription.time_zone)
    return {
        "hour": hour if 0 <= hour <= 23 else subscription.hour,
        "time_zone": zone if zone in known_zones() else subscription.time_zone,
    }


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """RFC 8058: mail clients POST here with no cookies or CSRF token; that POST is enough."""
    try:
        subscription = calendar_emails.UNSUBSCRIBE.resolve(token, CALENDAR_SUBSCRIPTIONS)
    except LinkRefused as refused:
        return bad_link(request, refused)
    if request.method == "POST":
        calendar_subscriptions.unsubscribe(subscription)
        return render(
            request, f"{TEMPLATES}/unsubscribed.html", {"calendar": subscription.calendar}
        )
    return render(request, f"{TEMPLATES}/unsubscribe.html", {"subscription": subscription})
