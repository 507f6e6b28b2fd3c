"""Calendar files (RFC 5545, with the icalendar library): per shift, per sign-up, per volunteer.

An event's UID is the shift's, so a calendar that imported the attachment and subscribes to
the feed shows one event; SEQUENCE follows the shift's moves. LOCATION is the public area
unless `volunteers.access` allows the exact address for that volunteer.
"""

import datetime
import functools
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

from volunteers.access import exact_address
from volunteers.models import SignUp

PRODID = "-//Vigil//Volunteer shifts//EN"


def event_uid(shift):
    host = urlsplit(settings.SITE_URL).hostname or "vigil.localhost"
    return f"vigil-shift-{shift.pk}@{host}"


def shift_event(shift, address="", tentative=False):
    opportunity = shift.opportunity
    event = icalendar.Event()
    event.add("uid", event_uid(shift))
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", shift.local_starts_at)
    event.add("dtend", shift.local_ends_at)
    event.add("summary", f"Volunteering: {opportunity.role or opportunity.title}")
    event.add("location", address or opportunity.area)
    event.add("sequence", shift.sequence)
    event.add("url", settings.SITE_URL + opportunity.url if opportunity.url else settings.SITE_URL)
    lines = [opportunity.title]
    if shift.notes and address:
        lines.append(shift.notes)
    event.add("description", "\n\n".join(lines))
    if shift.status == shift.Status.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "TENTATIVE" if tentative else "CONFIRMED")
    return event


def to_ics(events, name=None, method="PUBLISH"):
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(event)
    # What add_missing_timezones() does, with each zone's VTIMEZONE built once per process:
    # building one walks every transition from 1970 to 2038 (about 50 ms, inside the
    # shift's lock when a sign-up's email carries the calendar).
    index = len(cal.timezones)
    for tzid in sorted(cal.get_missing_tzids()):
        if (zone := vtimezone(tzid)) is not None:
            cal.subcomponents.insert(index, zone)
            index += 1
    return cal.to_ical()


@functools.lru_cache(maxsize=64)
def vtimezone(tzid):
    """The VTIMEZONE of a zone, or None for an unknown one. Shared by every calendar built in
    this process: only read (serialised), never changed."""
    try:
        return icalendar.Timezone.from_tzid(tzid)
    except ValueError:
        return None


def public_shift_calendar(shift):
    """Anyone may download it: the area only, never the exact address or the notes."""
    return to_ics([shift_event(shift)])


def signup_calendar(signup, address=None):
    """The volunteer's own copy: the address once the gate allows it (`address`: what the gate
    just said, when the caller asked it)."""
    if address is None:
        address = exact_address(signup.volunteer, signup.shift.opportunity)
    tentative = signup.status != SignUp.Status.CONFIRMED
    method = "CANCEL" if signup.shift.status == signup.shift.Status.CANCELLED else "PUBLISH"
    return to_ics([shift_event(signup.shift, address, tentative)], method=method)


def volunteer_feed(volunteer, now=None):
    """The private feed: the volunteer's shifts from a month back onwards."""
    since = (now or timezone.now()) - datetime.timedelta(days=31)
    signups = (
        SignUp.objects.holding_place()
        .filter(volunteer=volunteer, shift__ends_at__gte=since)
        .select_related("shift__opportunity", "volunteer")
        .order_by("shift__starts_at")
    )
    addresses = {}
    events = []
    for signup in signups:
        opportunity = signup.shift.opportunity
        if opportunity.pk not in addresses:
            addresses[opportunity.pk] = exact_address(volunteer, opportunity)
        tentative = signup.status != SignUp.Status.CONFIRMED
        events.append(shift_event(signup.shift, addresses[opportunity.pk], tentative))
    return to_ics(events, name="My volunteer shifts")
