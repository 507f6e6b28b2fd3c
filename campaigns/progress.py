"""How a campaign is growing: the public counters (cached) and the back office chart data.

The counters are cached per campaign and forgotten whenever a registration is saved or
deleted (signals connected in apps.py), so the page never shows a stale count for long
and never counts on every view.
"""

import dataclasses
import datetime
from collections import Counter

from django.core.cache import cache
from django.db.models import Count, Sum
from django.utils import timezone

CACHE_SECONDS = 60 * 60
CHART_MAX_BARS = 26


@dataclasses.dataclass
class Progress:
    churches: int
    countries: int
    attendance: int
    goal: int | None

    @property
    def percent(self):
        if not self.goal:
            return None
        return round(100 * self.churches / self.goal)

    @property
    def bar_percent(self):
        return min(100, self.percent or 0)


def cache_key(campaign_id):
    return f"vigil:campaign-progress:{campaign_id}"


def campaign_progress(campaign):
    from campaigns.models import ChurchRegistration

    counts = cache.get(cache_key(campaign.pk))
    if counts is None:
        counts = ChurchRegistration.objects.filter(campaign=campaign).aggregate(
            churches=Count("id"),
            countries=Count("country", distinct=True),
            attendance=Sum("expected_attendance"),
        )
        counts["attendance"] = counts["attendance"] or 0
        cache.set(cache_key(campaign.pk), counts, CACHE_SECONDS)
    return Progress(goal=campaign.goal_churches, **counts)


def forget_progress(sender=None, instance=None, **kwargs):
    if instance is not None and instance.campaign_id:
        cache.delete(cache_key(instance.campaign_id))


@dataclasses.dataclass
class Bar:
    start: datetime.date
    count: int
    total: int
    x: float = 0
    y: float = 0
    height: float = 0


def registrations_over_time(campaign, today=None):
    """Bars of new registrations per day (per week past ~6 months), with running totals."""
    from campaigns.models import ChurchRegistration

    today = today or timezone.localdate()
    created = ChurchRegistration.objects.filter(campaign=campaign).values_list(
        "created_at", flat=True
    )
    days = Counter(timezone.localdate(moment) for moment in created)
    if not days:
        return "day", []
    first = min(days)
    last = max(today, max(days))
    span = (last - first).days + 1
    unit_days = 1 if span <= CHART_MAX_BARS else 7
    if unit_days == 7:
        first -= datetime.timedelta(days=first.weekday())
    buckets = Counter()
    for day, count in days.items():
        buckets[(day - first).days // unit_days] += count
    bars = []
    total = 0
    for index in range((last - first).days // unit_days + 1):
        total += buckets[index]
        start = first + datetime.timedelta(days=index * unit_days)
        bars.append(Bar(start=start, count=buckets[index], total=total))
    return ("day" if unit_days == 1 else "week"), bars[-CHART_MAX_BARS * 4 :]


def chart(bars, width=640, height=160):
    """Positions for a server-rendered SVG bar chart: (bars, width, height, tallest)."""
    tallest = max((bar.count for bar in bars), default=0) or 1
    step = width / max(len(bars), 1)
    for index, bar in enumerate(bars):
        bar.x = round(index * step + step * 0.1, 2)
        bar.height = round(height * bar.count / tallest, 2)
        bar.y = round(height - bar.height, 2)
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "bar_width": round(step * 0.8, 2),
        "tallest": tallest,
    }
