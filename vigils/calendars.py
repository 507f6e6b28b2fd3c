"""Prayer calendars: the ICS file, and each day's email to every subscriber exactly once.

A run (every 15 minutes) finds, per subscriber, the date it is where they are; once their
chosen hour has come it writes one CalendarDelivery row per (subscriber, date) under that
date's CalendarDaySend (a unique constraint makes a second run write nothing) and queues the
batches. The outbox (core/outbox.py, kind `calendar_day` in vigils/messages.py) claims,
sends, marks, retries and resumes them as it does every bulk message. A run only ever writes
*today's* rows, and the kind does not send an entry more than a day late: after an outage
nobody receives a pile of old days.
"""

import datetime
import logging
from collections import defaultdict
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import outbox
from core.time_zones import zone_or_utc
from vigils.messages import CalendarDayKind
from vigils.models import (
    CalendarDaySend,
    CalendarDelivery,
    CalendarSubscription,
    PrayerCalendarPage,
)

logger = logging.getLogger(__name__)


def site_host():
    return urlsplit(settings.SITE_URL).hostname or "vigil.invalid"


def day_text(day, url):
    parts = [day.reading]
    if day.reading_reference:
        parts.append(f"({day.reading_reference})")
    if day.points:
        parts.append("Pray:\n" + "\n".join(f"- {point}" for point in day.points))
    parts.append(url)
    return "\n\n".join(part for part in parts if part)


def calendar_ics_bytes(calendar):
    """One all-day event per day, with a stable UID so calendar apps update rather than copy."""
    ics = icalendar.Calendar()
    ics.add("prodid", "-//Vigil//Prayer calendar//EN")
    ics.add("version", "2.0")
    ics.add("calscale", "GREGORIAN")
    ics.add("method", "PUBLISH")
    ics.add("x-wr-calname", calendar.title)
    stamp = calendar.last_published_at or timezone.now()
    host = site_host()
    for number, date, day in calendar.dated_days():
        url = calendar.full_day_url(number)
        event = icalendar.Event()
        event.add("uid", f"prayer-calendar-{calendar.pk}-day-{number}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", date)
        event.add("dtend", date + datetime.timedelta(days=1))
        event.add("summary", f"Day {number}: {day.title}")
        event.add("description", day_text(day, url))
        event.add("url", url)
        event.add("transp", "TRANSPARENT")
        ics.add_component(event)
    return ics.to_ical()


def running_calendars(now):
    """Live calendars with a day on some date somewhere on Earth right now."""
    earliest = (now - datetime.timedelta(days=1)).date()
    latest = (now + datetime.timedelta(days=1)).date()
    for calendar in PrayerCalendarPage.objects.live().filter(start_date__lte=latest):
        days = {date: (number, day) for number, date, day in calendar.dated_days()}
        if days and max(days) >= earliest:
            yield calendar, days


def due_by_date(calendar, days, now):
    """{date: [subscription ids]} for subscribers whose hour has come on a calendar date."""
    due = defaultdict(list)
    active = CalendarSubscription.objects.filter(
        calendar=calendar, status=CalendarSubscription.Status.ACTIVE
    ).values_list("pk", "hour", "time_zone")
    for pk, hour, zone_name in active:
        local = now.astimezone(zone_or_utc(zone_name))
        if local.hour >= hour and local.date() in days:
            due[local.date()].append(pk)
    return due


def send_due_entries(now=None):
    """Write the delivery rows that are due now and queue their batches in the outbox.
    Safe to run twice: a row is unique per subscriber and date. The number of batches queued."""
    now = now or timezone.now()
    queued = 0
    for calendar, days in running_calendars(now):
        for date, subscription_ids in due_by_date(calendar, days, now).items():
            number, _day = days[date]
            with transaction.atomic():
                send, _ = CalendarDaySend.objects.get_or_create(
                    calendar=calendar, date=date, defaults={"number": number}
                )
                CalendarDelivery.objects.bulk_create(
                    [
                        CalendarDelivery(send=send, subscription_id=pk, date=date)
                        for pk in subscription_ids
                    ],
                    batch_size=1000,
                    ignore_conflicts=True,
                )
                open_rows = send.deliveries.filter(status__in=outbox.OPEN)
                if send.finished_at and open_rows.exists():
                    # Later time zones joined a send that had finished: it is open again.
                    CalendarDaySend.objects.filter(pk=send.pk).update(finished_at=None)
                queued += outbox.queue_batches(CalendarDayKind.name, send.pk, now)
    if queued:
        logger.info("Calendar days: %s batches queued", queued)
    return queued
