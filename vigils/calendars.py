"""Prayer calendars: the ICS file, and each day's email to every subscriber exactly once.

A run (every 15 minutes) finds, per subscriber, the date it is where they are; once their
chosen hour has come it creates one CalendarDelivery row per (subscriber, date) — a unique
constraint makes a second run create nothing — then claims the pending rows with one
conditional UPDATE and sends them. A row is claimed before its message goes and marked sent
the moment it has gone, so a rerun or a second worker never sends it again. Rows a killed
worker had claimed but not sent are claimed again once the claim is `STALE_CLAIM` old; only
the one message in flight when the worker died can go twice. A run only ever sends *today's*
entry: after an outage nobody receives a pile of old days.
"""

import datetime
import logging
import uuid
from collections import defaultdict
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.utils import timezone

from core.emails import render_email
from core.mailing import suppressed_addresses, unsubscribe_headers
from core.time_zones import zone_or_utc
from vigils.calendar_emails import unsubscribe_url
from vigils.models import CalendarDelivery, CalendarSubscription, PrayerCalendarPage

logger = logging.getLogger(__name__)

CLAIM_CHUNK = 500
# Longer than Q_CLUSTER's task timeout: a claim this old belongs to a worker that died.
STALE_CLAIM = datetime.timedelta(minutes=10)
UNSUBSCRIBE_PLACEHOLDER = "https://unsubscribe.invalid/vigil-calendar"


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
    """Create, claim and send every delivery that is due now. Safe to run twice."""
    now = now or timezone.now()
    totals = {"sent": 0, "suppressed": 0, "failed": 0}
    for calendar, days in running_calendars(now):
        for date, subscription_ids in due_by_date(calendar, days, now).items():
            for start in range(0, len(subscription_ids), CLAIM_CHUNK):
                chunk = subscription_ids[start : start + CLAIM_CHUNK]
                CalendarDelivery.objects.bulk_create(
                    [CalendarDelivery(subscription_id=pk, date=date) for pk in chunk],
                    ignore_conflicts=True,
                )
                claim = uuid.uuid4().hex
                CalendarDelivery.objects.filter(
                    Q(status=CalendarDelivery.Status.PENDING)
                    | Q(status=CalendarDelivery.Status.CLAIMED, claimed_at__lt=now - STALE_CLAIM),
                    subscription_id__in=chunk,
                    date=date,
                ).update(status=CalendarDelivery.Status.CLAIMED, claim_token=claim, claimed_at=now)
                number, day = days[date]
                for outcome, count in send_claimed(calendar, number, day, claim, now).items():
                    totals[outcome] += count
    return totals


def send_claimed(calendar, number, day, claim, now):
    """Send one rendered entry to every row claimed under ``claim``."""
    rows = list(
        CalendarDelivery.objects.filter(claim_token=claim).values_list(
            "pk", "subscription__pk", "subscription__email", "subscription__link_version"
        )
    )
    result = {"sent": 0, "suppressed": 0, "failed": 0}
    if not rows:
        return result
    suppressed = suppressed_addresses([row[2] for row in rows])
    suppressed_ids = [row[0] for row in rows if row[2] in suppressed]
    CalendarDelivery.objects.filter(pk__in=suppressed_ids).update(
        status=CalendarDelivery.Status.SUPPRESSED
    )
    result["suppressed"] = len(suppressed_ids)

    url = calendar.full_day_url(number)
    subject, text, html = render_email(
        "prayer-calendar-day",
        {
            "calendar_title": calendar.title,
            "number": number,
            "day": day,
            "points": day.points,
            "day_url": url,
            "calendar_url": calendar.full_url,
            "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        },
    )
    sent, failed = 0, []
    with get_connection() as connection:
        for pk, subscription_id, email, version in rows:
            if email in suppressed:
                continue
            link = unsubscribe_url(subscription_id, version)
            message = EmailMultiAlternatives(
                subject=subject,
                body=text.replace(UNSUBSCRIBE_PLACEHOLDER, link),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[email],
                headers=unsubscribe_headers(link),
                connection=connection,
            )
            message.attach_alternative(html.replace(UNSUBSCRIBE_PLACEHOLDER, link), "text/html")
            try:
                message.send()
            except Exception as error:  # noqa: BLE001 - one bad address must not stop the rest
                logger.warning("Calendar delivery %s failed: %s", pk, type(error).__name__)
                failed.append(pk)
            else:
                # Marked at once: a worker killed later in the loop leaves this row done.
                CalendarDelivery.objects.filter(pk=pk).update(
                    status=CalendarDelivery.Status.SENT, sent_at=now
                )
                sent += 1
    CalendarDelivery.objects.filter(pk__in=failed).update(
        status=CalendarDelivery.Status.FAILED, last_error="provider refused the message"
    )
    result["sent"], result["failed"] = sent, len(failed)
    logger.info("Calendar %s day %s: %s sent", calendar.pk, number, sent)
    return result
