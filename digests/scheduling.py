"""When a subscriber's next digest is due, in their own time zone.

Pure functions: no database, no settings. Digests go out at DIGEST_LOCAL_HOUR
local time — daily every day, weekly on the subscriber's weekday, monthly on
the 1st — and the answer is always an aware UTC datetime strictly after
``after``. Wall-clock times are resolved with zoneinfo, so 07:00 stays 07:00
local across daylight-saving switches.
"""

import datetime

from core.time_zones import zone_or_utc

DIGEST_LOCAL_HOUR = 7

UTC = datetime.UTC


def _at_local_hour(day, zone):
    """DIGEST_LOCAL_HOUR on ``day`` in ``zone``, as UTC.

    If that wall time does not exist (a spring-forward gap) fold=0 gives the
    time just after the gap; if it is ambiguous, the first occurrence.
    """
    local = datetime.datetime.combine(day, datetime.time(DIGEST_LOCAL_HOUR), tzinfo=zone)
    return local.astimezone(UTC)


def _candidate_days(frequency, weekday, start):
    """Local dates on which a digest may go out, from ``start`` onwards."""
    day = start
    if frequency == "monthly":
        day = day.replace(day=1)
        while True:
            yield day
            day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    elif frequency == "weekly":
        day += datetime.timedelta(days=(int(weekday or 0) - day.weekday()) % 7)
        while True:
            yield day
            day += datetime.timedelta(days=7)
    else:
        while True:
            yield day
            day += datetime.timedelta(days=1)


def next_digest_at(subscription, after):
    """The first time strictly after ``after`` that ``subscription``'s digest is due.

    ``subscription`` needs ``frequency``, ``weekday`` and ``time_zone``
    attributes (a Subscription or anything alike). Returns an aware UTC datetime.
    """
    if after.tzinfo is None:
        raise ValueError("next_digest_at needs an aware datetime.")
    zone = zone_or_utc(getattr(subscription, "time_zone", "UTC"))
    frequency = getattr(subscription, "frequency", "weekly")
    weekday = getattr(subscription, "weekday", 0)
    # Start a day early so a local date behind UTC is not skipped.
    start = after.astimezone(zone).date() - datetime.timedelta(days=1)
    for day in _candidate_days(frequency, weekday, start):
        due = _at_local_hour(day, zone)
        if due > after:
            return due
    raise AssertionError("unreachable")  # pragma: no cover
