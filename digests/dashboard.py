"""The dashboard's subscribers panel: prayer update subscribers with their trend, for the
staff whose permissions reach the subscription list (core/dashboard.py). One query."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from core.dashboard import Figure, GlancePanel, bar_chart, may, weekly_counts, weekly_points
from digests.models import Subscription


def plural(count, one, many):
    return one if count == 1 else many


def subscribers_figure(now):
    totals = Subscription.objects.aggregate(
        active=Count("pk", filter=Q(status=Subscription.Status.ACTIVE)),
        **weekly_counts("confirmed_at", now=now),
    )
    points = weekly_points(totals, now=now)
    this_week = points[-1][1]
    return Figure(
        name="subscribers",
        value=totals["active"],
        label=plural(
            totals["active"], "subscriber to prayer updates", "subscribers to prayer updates"
        ),
        detail=f"{this_week} new this week. New confirmed subscriptions per week:",
        chart=bar_chart(points, "New confirmed subscriptions per week"),
        url=reverse("prayer_subscriptions:index") + "?status=active",
        link_text="See the subscribers",
    )


@hooks.register("construct_homepage_panels")
def add_subscribers_panel(request, panels):
    if may(request.user, Subscription):
        figures = [subscribers_figure(timezone.now())]
        panels.append(GlancePanel("subscribers", "Prayer updates at a glance", figures, order=12))
