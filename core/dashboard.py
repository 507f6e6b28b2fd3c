"""The dashboard's "at a glance" panels: each app shows its own figures to the staff whose
permissions cover them (prayer/dashboard.py, campaigns/dashboard.py, volunteers/dashboard.py).

What they share lives here: a figure (a number, what it counts, a link to its list and an
optional chart), the panel that shows a group of figures, weekly counts in one query, and
small charts drawn as inline SVG on the server (no script, nothing fetched from elsewhere,
each with a text alternative for those who do not see it).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from wagtail.admin.ui.components import Component
from wagtail.permissions import policy_registry

WEEKS = 8


@dataclass
class Figure:
    """One number on the dashboard: `value` `label` (e.g. 4 "prayer requests waiting")."""

    label: str
    value: int | str
    url: str
    link_text: str
    detail: str = ""
    chart: SafeString | str = ""
    name: str = ""


@dataclass
class GlancePanel(Component):
    """A dashboard panel of figures, e.g. "Prayer" for the prayer moderators."""

    name: str
    heading: str
    figures: list[Figure] = field(default_factory=list)
    order: int = 50
    template_name = "website/dashboard/glance_panel.html"

    def get_context_data(self, parent_context):
        return {"panel": self, "figures": self.figures}


def may(user, model, action="view"):
    """Whether `user` may `action` records of `model`, by its registered permission policy."""
    return policy_registry.get_by_type(model).user_has_permission(user, action)


def week_starts(weeks=WEEKS, now=None):
    """The local midnights that begin the last `weeks` weeks (Mondays), oldest first; the
    last is this week's, which is still going on."""
    today = timezone.localdate(now)
    monday = today - datetime.timedelta(days=today.weekday())
    zone = timezone.get_current_timezone()
    return [
        datetime.datetime.combine(
            monday - datetime.timedelta(weeks=weeks - 1 - number), datetime.time(), tzinfo=zone
        )
        for number in range(weeks)
    ]


def weekly_counts(field_name, weeks=WEEKS, now=None):
    """Aggregates counting the rows whose `field_name` falls in each of the last `weeks`
    weeks, as keyword arguments for one `.aggregate()` (keys week_0 … week_<weeks-1>)."""
    starts = week_starts(weeks, now)
    ends = [*starts[1:], starts[-1] + datetime.timedelta(weeks=1)]
    return {
        f"week_{number}": Count(
            "pk", filter=Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})
        )
        for number, (start, end) in enumerate(zip(starts, ends, strict=True))
    }


def weekly_points(totals, weeks=WEEKS, now=None):
    """(week label, count) for the weeks of an aggregate built with weekly_counts()."""
    return [
        (f"week of {start:%-d %b}", totals[f"week_{number}"] or 0)
        for number, start in enumerate(week_starts(weeks, now))
    ]


CHART_WIDTH = 200
CHART_HEIGHT = 48
BAR_GAP = 4


def bar_chart(points, description):
    """A small bar chart of (label, value) points as inline SVG. `description` says what is
    counted ("New confirmed subscriptions per week"); the chart's accessible name adds every
    value, and each bar's own <title> names its label and value on hover."""
    if not points:
        return ""
    highest = max(value for _label, value in points) or 1
    width = (CHART_WIDTH - BAR_GAP * (len(points) - 1)) / len(points)
    bars = []
    for number, (label, value) in enumerate(points):
        # An empty week still shows as a faint stub, so the eight weeks read as eight.
        height = max(round(value / highest * (CHART_HEIGHT - 2), 1), 2)
        bars.append(
            (
                round(number * (width + BAR_GAP), 1),
                round(CHART_HEIGHT - height, 1),
                round(width, 1),
                height,
                f"{label}: {value}",
                1 if value else 0.3,
            )
        )
    values = "; ".join(f"{label}: {value}" for label, value in points)
    return format_html(
        '<svg class="vigil-chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="{}" '
        'height="{}" focusable="false">{}</svg>',
        f"{description}. {values}.",
        CHART_WIDTH,
        CHART_HEIGHT,
        CHART_WIDTH,
        CHART_HEIGHT,
        format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" rx="1" fill="currentColor" '
            'fill-opacity="{}"><title>{}</title></rect>',
            ((x, y, w, h, opacity, title) for x, y, w, h, title, opacity in bars),
        ),
    )


def meter(done, total, description):
    """How much of a whole is done (e.g. vigil slots covered) as an inline SVG bar."""
    share = done / total if total else 0
    return format_html(
        '<svg class="vigil-chart" role="img" aria-label="{}" viewBox="0 0 {} 12" width="{}" '
        'height="12" focusable="false"><rect width="{}" height="12" rx="3" fill="currentColor" '
        'fill-opacity="0.2"/><rect width="{}" height="12" rx="3" fill="currentColor"/></svg>',
        f"{description}: {done} of {total} ({share:.0%})",
        CHART_WIDTH,
        CHART_WIDTH,
        CHART_WIDTH,
        round(CHART_WIDTH * share, 1),
    )
