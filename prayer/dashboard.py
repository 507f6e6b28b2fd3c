"""The dashboard's prayer panel: requests waiting for moderation with their trend, for prayer
moderators (core/dashboard.py). One query, however many rows."""

from django.db.models import Count, Q
from django.utils import timezone
from wagtail import hooks

from core.dashboard import Figure, GlancePanel, bar_chart, may, weekly_counts, weekly_points
from prayer.backoffice.requests import waiting_list_url
from prayer.models import PrayerRequest


def plural(count, one, many):
    return one if count == 1 else many


def waiting_figure(now):
    totals = PrayerRequest.objects.aggregate(
        waiting=Count("pk", filter=Q(status=PrayerRequest.Status.SUBMITTED)),
        **weekly_counts("created_at", now=now),
    )
    waiting = totals["waiting"]
    return Figure(
        name="requests-waiting",
        value=waiting,
        label=plural(waiting, "prayer request waiting", "prayer requests waiting"),
        detail="Requests sent in each of the last eight weeks:",
        chart=bar_chart(weekly_points(totals, now=now), "Prayer requests sent per week"),
        url=waiting_list_url(),
        link_text="Moderate the requests waiting",
    )


def prayer_figures(user, now=None):
    now = now or timezone.now()
    return [waiting_figure(now)] if may(user, PrayerRequest, "change") else []


@hooks.register("construct_homepage_panels")
def add_prayer_panel(request, panels):
    figures = prayer_figures(request.user)
    if figures:
        panels.append(GlancePanel("prayer", "Prayer at a glance", figures, order=10))
