"""The dashboard's campaigns panel: new church registrations and their weekly trend, for
the staff who may see registrations (core/dashboard.py). One query."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from campaigns.models import ChurchRegistration
from core.dashboard import Figure, GlancePanel, bar_chart, may, weekly_counts, weekly_points

NEW_DAYS = 7


def registrations_figure(now):
    totals = ChurchRegistration.objects.aggregate(
        new=Count("pk", filter=Q(created_at__gte=now - datetime.timedelta(days=NEW_DAYS))),
        total=Count("pk"),
        **weekly_counts("created_at", now=now),
    )
    new = totals["new"]
    return Figure(
        name="church-registrations",
        value=new,
        label=(f"new church registration{'' if new == 1 else 's'} in the last {NEW_DAYS} days"),
        detail=f"{totals['total']} in all. Registrations per week:",
        chart=bar_chart(weekly_points(totals, now=now), "Church registrations per week"),
        url=reverse("campaign_registrations:index"),
        link_text="See the registrations",
    )


def campaign_figures(user, now=None):
    if not may(user, ChurchRegistration):
        return []
    return [registrations_figure(now or timezone.now())]


@hooks.register("construct_homepage_panels")
def add_campaigns_panel(request, panels):
    figures = campaign_figures(request.user)
    if figures:
        panels.append(GlancePanel("campaigns", "Campaigns at a glance", figures, order=20))
