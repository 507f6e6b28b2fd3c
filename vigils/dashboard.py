"""The dashboard's vigils panel: how much of the next vigil is covered, for those who
organise vigils (core/dashboard.py). One query, however many slots."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from core.dashboard import Figure, GlancePanel, may, meter
from vigils.models import VigilPage, VigilSlot


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


@hooks.register("construct_homepage_panels")
def add_vigils_panel(request, panels):
    if may(request.user, VigilSlot):
        panels.append(
            GlancePanel("vigils", "Vigils at a glance", [vigil_figure(timezone.now())], order=15)
        )
