"""Whose consent has ended: content that has consent records, none of them current.

Content without any record is not governed by consent and stays as it is. Days are the
organisation's local days (TIME_ZONE): consent that expires on a day ends as that day begins.
"""

import datetime

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.dateformat import format as date_format

from website.models.consent import ConsentRecord, current_on


def ended_ids(field, today=None):
    """Ids of the stories, images or prayer requests (`field`) whose consent has ended."""
    today = today or timezone.localdate()
    # `field`: a foreign key ("story") or a feature's relation ("prayer_request"), both ids.
    records = ConsentRecord.objects.filter(**{f"{field}__isnull": False})
    current = records.filter(current_on(today)).values(field)
    return set(
        records.exclude(**{f"{field}__in": current}).values_list(field, flat=True).distinct()
    )


def without_ended_consent(queryset, field, today=None):
    """`queryset` less the content (`field`: its side of a record) whose consent has ended.

    For a gate that must not wait for the take-down task: one subquery, no query of its own.
    """
    today = today or timezone.localdate()
    records = ConsentRecord.objects.filter(**{field: OuterRef("pk")})
    return queryset.exclude(Exists(records) & ~Exists(records.filter(current_on(today))))


def consent_has_ended(content, today=None):
    """True when `content` (a story, image or prayer request) has records and none is current."""
    if content is None or content.pk is None:
        return False
    today = today or timezone.localdate()
    counts = ConsentRecord.objects.for_content(content).aggregate(
        records=Count("pk"), current=Count("pk", filter=current_on(today))
    )
    return counts["records"] > 0 and counts["current"] == 0


def latest_ended(records):
    """Of a content's ended records, the one whose end took it off the site."""
    return max(records, key=lambda record: (record.ends_on, record.pk))


def seconds_until_tomorrow(now=None):
    """How long what is true today stays true: consent only ends as a local day begins."""
    now = timezone.localtime(now)
    tomorrow = datetime.datetime.combine(
        now.date() + datetime.timedelta(days=1), datetime.time(), tzinfo=now.tzinfo
    )
    return max(1, int((tomorrow - now).total_seconds()))


def state_label(record):
    """How a record reads in lists: "Current until 3 Jun 2026", "Withdrawn 2 May 2026"."""
    if record.ends_on is None:
        return "Current"
    ends = date_format(record.ends_on, "j M Y")
    if record.is_current():
        return f"Current until {ends}"
    return f"{'Withdrawn' if record.end_reason == 'withdrawn' else 'Expired'} {ends}"
