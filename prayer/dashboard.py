"""The dashboard's prayer panels: requests waiting for moderation and subscribers with
their trend (prayer moderators), and how much of the next vigil is covered (those who
organise vigils); each figure only for the staff whose permissions reach its list
(core/dashboard.py). One query a figure, however many rows."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from core.dashboard import (
    Figure,
    GlancePanel,
    bar_chart,
    may,
    meter,
    weekly_counts,
    weekly_points,
)
from prayer.backoffice.requests import waiting_list_url
from prayer.models import PrayerRequest, Subscription, VigilPage, VigilSlot


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


def next_vigil(now):
    """The vigil going on now or the next to begin, with its slots counted (one query)."""
    return (
        VigilPage.objects.live()
        .filter(ends_at__gt=now)
        .annotate(
            slot_total=Count("slots"), slots_covered=Count("slots", filter=Q(slots__taken__gt=0))
        )
        .order_by("starts_at", "pk")
        .first()
    )


def vigil_figure(now):
    slots_url = reverse("prayer_vigil_slots:index")
    vigil = next_vigil(now)
    if vigil is None:
        return Figure(
            name="vigil-coverage",
            value="No",
            label="vigil coming up",
            url=slots_url,
            link_text="See the vigil slots",
        )
    covered, total = vigil.slots_covered, vigil.slot_total
    return Figure(
        name="vigil-coverage",
        value=f"{covered} of {total}",
        label=f"slots covered in {vigil.title}",
        detail=(
            "Going on now."
            if vigil.starts_at <= now
            else f"Begins {timezone.localtime(vigil.starts_at):%-d %b %Y}."
        ),
        chart=meter(covered, total, f"Slots covered in {vigil.title}"),
        url=f"{slots_url}?vigil={vigil.pk}",
        link_text="See who prays when",
    )


def prayer_figures(user, now=None):
    now = now or timezone.now()
    figures = []
    if may(user, PrayerRequest, "change"):
        figures.append(waiting_figure(now))
    if may(user, Subscription):
        figures.append(subscribers_figure(now))
    return figures


@hooks.register("construct_homepage_panels")
def add_prayer_panels(request, panels):
    figures = prayer_figures(request.user)
    if figures:
        panels.append(GlancePanel("prayer", "Prayer at a glance", figures, order=10))
    if may(request.user, VigilSlot):
        panels.append(
            GlancePanel("vigils", "Vigils at a glance", [vigil_figure(timezone.now())], order=15)
        )
