"""The volunteer index: opportunities with their next shifts, filtered by centre, skill, date
and "has open shifts", in a fixed number of queries however many opportunities there are."""

import datetime
import zoneinfo

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from core.filters import ListingFilters
from volunteers.models import OpportunityPage, Shift, Skill
from website.models import MinistryPage

SHIFTS_SHOWN = 3


def by_slug(model):
    return lambda slug: model.objects.filter(slug=slug).first()


def parse_day(value):
    """A yyyy-mm-dd date from the query string, or None for anything else."""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    # The day's start and end in every time zone must be representable (years 1 to 9999).
    if not datetime.date.min < day < datetime.date.max:
        return None
    return day


def starting_on(day, shifts):
    """Shifts starting on `day` in their own time zone (one condition per zone in use)."""
    condition = Q(pk__in=[])
    for name in shifts.values_list("time_zone", flat=True).distinct():
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zoneinfo.ZoneInfo(name))
        condition |= Q(
            time_zone=name, starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1)
        )
    return condition


def opportunity_listing(index_page, params):
    now = timezone.now()
    filters = ListingFilters(params, items="opportunities")
    centre = filters.choose("centre", by_slug(MinistryPage))
    skill = filters.choose("skill", by_slug(Skill))
    day = filters.choose("date", parse_day, unknown="“{value}” is not a date we can list")
    open_only = params.get("open") == "1"

    shifts = Shift.objects.bookable(now)
    if day:
        shifts = shifts.filter(starting_on(day, shifts))
    if open_only:
        shifts = shifts.with_open_spots()

    opportunities = (
        OpportunityPage.objects.live()
        .public()
        .child_of(index_page)
        .select_related("ministry")
        .prefetch_related(
            "skills",
            Prefetch("shifts", queryset=shifts.order_by("starts_at"), to_attr="listed_shifts"),
        )
        .order_by("title")
    )
    if centre:
        opportunities = opportunities.filter(ministry=centre)
    if skill:
        opportunities = opportunities.filter(skills=skill)
    if day or open_only:
        opportunities = opportunities.filter(Exists(shifts.filter(opportunity=OuterRef("pk"))))
    opportunities = list(opportunities)
    for opportunity in opportunities:
        opportunity.next_shifts = opportunity.listed_shifts[:SHIFTS_SHOWN]
        opportunity.more_shifts = max(len(opportunity.listed_shifts) - SHIFTS_SHOWN, 0)
        opportunity.open_spots = sum(shift.spots_left for shift in opportunity.listed_shifts)

    used_centres = OpportunityPage.objects.live().child_of(index_page).values("ministry")
    return {
        "opportunities": opportunities,
        "centres": list(MinistryPage.objects.live().filter(pk__in=used_centres).order_by("title")),
        "skills": list(Skill.objects.filter(opportunities__live=True).distinct()),
        "active_centre": centre,
        "active_skill": skill,
        "active_date": day,
        "open_only": open_only,
        "filtered": bool(centre or skill or day or open_only),
        **filters.context(),
    }
