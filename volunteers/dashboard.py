"""The dashboard's volunteers panel: sign-ups waiting for safeguarding clearance, for the
staff who may see sign-ups (core/dashboard.py). One query."""

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from core.dashboard import Figure, GlancePanel, may
from volunteers.models import SignUp


def clearance_figure(now):
    waiting = Q(status=SignUp.Status.PENDING_CLEARANCE)
    totals = SignUp.objects.aggregate(
        waiting=Count("pk", filter=waiting), oldest=Min("created_at", filter=waiting)
    )
    count = totals["waiting"]
    detail = ""
    if totals["oldest"]:
        days = (now - totals["oldest"]).days
        detail = f"The longest has waited {days} day{'' if days == 1 else 's'}."
    return Figure(
        name="clearance",
        value=count,
        label=f"sign-up{'' if count == 1 else 's'} waiting for clearance",
        detail=detail,
        url=reverse("volunteers_signups:index") + f"?status={SignUp.Status.PENDING_CLEARANCE}",
        link_text="See the sign-ups waiting",
    )


def volunteer_figures(user, now=None):
    if not may(user, SignUp):
        return []
    return [clearance_figure(now or timezone.now())]


@hooks.register("construct_homepage_panels")
def add_volunteers_panel(request, panels):
    figures = volunteer_figures(request.user)
    if figures:
        panels.append(GlancePanel("volunteers", "Volunteers at a glance", figures, order=30))
