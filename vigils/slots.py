"""Vigil slots: generating them, taking and giving back places, and what the grid shows.

Slot starts are counted in UTC from the vigil's start, so a night when the clocks change
has no missing and no doubled slot: in the host's wall-clock time that night simply has one
hour fewer or more. Places are taken with one conditional UPDATE per slot inside a single
transaction, so a sign-up for several slots gets all of them or none.
"""

import dataclasses
import datetime
import logging
from collections import defaultdict

import icalendar
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from vigils.models import SlotBooking, VigilSignup, VigilSlot

logger = logging.getLogger(__name__)

SLOT_KEY_FORMAT = "%Y%m%dT%H%MZ"


def slot_key(starts_at):
    """A slot's public name in forms and anchors: its UTC start, e.g. 20260329T0100Z."""
    return starts_at.astimezone(datetime.UTC).strftime(SLOT_KEY_FORMAT)


def parse_slot_key(key):
    """The UTC instant a slot key names, or None for anything malformed."""
    if not isinstance(key, str) or len(key) != 14:
        return None
    try:
        return datetime.datetime.strptime(key, SLOT_KEY_FORMAT).replace(tzinfo=datetime.UTC)
    except ValueError:
        return None


def slot_times(starts_at, ends_at, minutes):
    """[(start, end)] UTC instants from ``starts_at`` to ``ends_at``; the last may be shorter."""
    step = datetime.timedelta(minutes=minutes)
    times = []
    start = starts_at
    while start < ends_at:
        times.append((start, min(start + step, ends_at)))
        start += step
    return times


def sync_slots(vigil):
    """Make the vigil's slot rows match its times, keeping every slot someone holds."""
    vigil.compute_instants()
    wanted = dict(slot_times(vigil.starts_at, vigil.ends_at, vigil.slot_minutes))
    with transaction.atomic():
        existing = {
            slot.starts_at: slot
            for slot in VigilSlot.objects.select_for_update().filter(vigil=vigil)
        }
        stale = [
            slot.pk for start, slot in existing.items() if start not in wanted and slot.taken == 0
        ]
        VigilSlot.objects.filter(pk__in=stale, taken=0).delete()
        changed_end = [
            slot
            for start, slot in existing.items()
            if start in wanted and slot.ends_at != wanted[start]
        ]
        for slot in changed_end:
            slot.ends_at = wanted[slot.starts_at]
        VigilSlot.objects.bulk_update(changed_end, ["ends_at"])
        VigilSlot.objects.bulk_create(
            [
                VigilSlot(vigil=vigil, starts_at=start, ends_at=end, capacity=vigil.capacity)
                for start, end in wanted.items()
                if start not in existing
            ],
            ignore_conflicts=True,
        )
        # A lower capacity never drops anyone already signed up.
        capacity = None if vigil.capacity is None else Greatest(F("taken"), vigil.capacity)
        VigilSlot.objects.filter(vigil=vigil).update(capacity=capacity)
    return len(wanted)


class SlotsUnavailable(Exception):
    """Some chosen slots cannot be had; nothing was booked."""

    def __init__(self, full=(), started=()):
        self.full = list(full)
        self.started = list(started)
        super().__init__("slots unavailable")


def book_slots(signup, slots, now=None):
    """Give ``signup`` a place in every slot of ``slots``, or in none of them.

    Returns the slots newly booked (already held ones are skipped). Raises SlotsUnavailable
    naming the slots that are full or have started. Each place is taken with a conditional
    UPDATE that only succeeds while the slot has room; PostgreSQL re-checks the condition
    after waiting for a concurrent sign-up's lock, so the last place goes to one person.
    """
    now = now or timezone.now()
    slots = sorted(slots, key=lambda slot: slot.starts_at)  # one lock order: no deadlocks
    with transaction.atomic():
        held = set(
            SlotBooking.objects.filter(signup=signup, slot__in=slots).values_list(
                "slot_id", flat=True
            )
        )
        wanted = [slot for slot in slots if slot.pk not in held]
        started = [slot for slot in wanted if slot.starts_at <= now]
        full = []
        for slot in wanted:
            if slot in started:
                continue
            has_room = Q(capacity__isnull=True) | Q(taken__lt=F("capacity"))
            if not VigilSlot.objects.filter(has_room, pk=slot.pk).update(taken=F("taken") + 1):
                full.append(slot)
        if full or started:
            # Leaving the block by an exception rolls back the places taken above.
            raise SlotsUnavailable(full=full, started=started)
        # A unique constraint stops the same person's parallel request booking a slot twice;
        # its IntegrityError rolls everything back too.
        SlotBooking.objects.bulk_create(
            [SlotBooking(signup=signup, slot=slot, created_at=now) for slot in wanted]
        )
    logger.info("Vigil sign-up %s booked %s slots", signup.pk, len(wanted))
    return wanted


def cancel_bookings(signup, slot_ids, now=None):
    """Give back ``signup``'s places in these slots (not those already started)."""
    now = now or timezone.now()
    with transaction.atomic():
        bookings = list(
            SlotBooking.objects.select_for_update()
            .filter(signup=signup, slot_id__in=slot_ids, slot__starts_at__gt=now)
            .select_related("slot")
        )
        for booking in bookings:
            booking.delete()
            VigilSlot.objects.filter(pk=booking.slot_id, taken__gt=0).update(taken=F("taken") - 1)
    logger.info("Vigil sign-up %s cancelled %s slots", signup.pk, len(bookings))
    return [booking.slot for booking in bookings]


def overlapping_bookings(email, slots, exclude_vigil=None):
    """Slots the same address already holds (in any vigil) that overlap ``slots``."""
    if not slots:
        return []
    earliest = min(slot.starts_at for slot in slots)
    latest = max(slot.ends_at for slot in slots)
    held = (
        SlotBooking.objects.filter(
            signup__email=email,
            signup__status=VigilSignup.Status.CONFIRMED,
            slot__starts_at__lt=latest,
            slot__ends_at__gt=earliest,
        )
        .exclude(slot__in=[slot.pk for slot in slots])
        .select_related("slot")
    )
    if exclude_vigil is not None:
        held = held.exclude(slot__vigil=exclude_vigil)
    return [
        booking.slot
        for booking in held
        if any(
            booking.slot.starts_at < slot.ends_at and slot.starts_at < booking.slot.ends_at
            for slot in slots
        )
    ]


# ---------------------------------------------------------------------------
# What the public sees: the coverage grid and the pulse


COVERED, PARTLY, EMPTY = "covered", "partly", "empty"
STATE_LABELS = {COVERED: "Covered", PARTLY: "Partly covered", EMPTY: "Empty"}


@dataclasses.dataclass
class SlotView:
    slot: VigilSlot
    local_start: datetime.datetime
    local_end: datetime.datetime
    names: list
    theme: str
    past: bool
    now: bool

    @property
    def key(self):
        return slot_key(self.slot.starts_at)

    @property
    def state(self):
        if self.slot.taken == 0:
            return EMPTY
        if self.slot.capacity is not None and self.slot.taken < self.slot.capacity:
            return PARTLY
        return COVERED

    @property
    def state_label(self):
        return STATE_LABELS[self.state]

    @property
    def choosable(self):
        return not self.past and not self.now and not self.slot.is_full

    @property
    def label(self):
        return format_range(self.local_start, self.local_end)

    @property
    def start_instant(self):
        """The UTC start for <time datetime>, which the browser shows in the visitor's zone."""
        return utc_instant(self.slot.starts_at)

    @property
    def end_instant(self):
        return utc_instant(self.slot.ends_at)

    @property
    def long_label(self):
        return f"{self.local_start:%A %-d %B}, {self.label}"


def utc_instant(moment):
    """ "2026-03-28T20:00:00Z": a machine-readable instant, valid in <time datetime>."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_local(moment):
    """HH:MM with the zone's abbreviation, so both 01:00s of a fall-back night are told apart."""
    return f"{moment:%H:%M} {moment.tzname()}"


def format_range(start, end):
    """ "00:00–01:00 JST": 24-hour times, an en dash, the zone's abbreviation once; both
    abbreviations when they differ ("01:00 BST–01:00 GMT" on a fall-back night)."""
    if start.tzname() == end.tzname():
        return f"{start:%H:%M}–{end:%H:%M} {end.tzname()}"
    return f"{format_local(start)}–{format_local(end)}"


def slot_label(slot, zone, day_format="%A %-d %B,"):
    """ "Sunday 1 March, 21:00–22:00 CET": a slot in words, in ``zone``."""
    start, end = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
    return f"{start:{day_format}} {format_range(start, end)}"


def theme_for(themes, local_host_start):
    for theme in themes:
        if theme.covers(local_host_start):
            return theme.title
    return ""


def slot_views(vigil, zone, now=None):
    """Every slot of the vigil with who holds it, in three queries whatever the vigil's size."""
    now = now or timezone.now()
    slots = list(VigilSlot.objects.filter(vigil=vigil).order_by("starts_at"))
    names = defaultdict(list)
    bookings = SlotBooking.objects.filter(slot__vigil=vigil).order_by("created_at", "pk")
    for slot_id, display_name in bookings.values_list("slot_id", "signup__display_name"):
        names[slot_id].append(display_name or "someone")
    themes = list(vigil.themes.all())
    host = vigil.zone
    return [
        SlotView(
            slot=slot,
            local_start=slot.starts_at.astimezone(zone),
            local_end=slot.ends_at.astimezone(zone),
            names=names[slot.pk],
            theme=theme_for(themes, slot.starts_at.astimezone(host)),
            past=slot.ends_at <= now,
            now=slot.starts_at <= now < slot.ends_at,
        )
        for slot in slots
    ]


@dataclasses.dataclass
class Coverage:
    dates: list  # local dates, the grid's columns
    rows: list  # [(local hour, [[SlotView] for each date])], hours without any slot left out
    slot_count: int
    with_someone: int
    fully_covered: int

    @property
    def percent(self):
        return round(100 * self.with_someone / self.slot_count) if self.slot_count else 0


def coverage(views, shown=None):
    """The grid: a column per local date, a row per local hour, each slot in its cell.

    A fall-back night puts two slots in one cell (01:00 BST and 01:00 GMT); a spring-forward
    night leaves the skipped hour's cell empty on that date. The figures count every slot of
    ``views``; the cells hold only those ``shown`` (all of them by default).
    """
    cells = defaultdict(list)
    for view in views if shown is None else shown:
        cells[view.local_start.date(), view.local_start.hour].append(view)
    dates = sorted({date for date, _ in cells})
    hours = sorted({hour for _, hour in cells})
    return Coverage(
        dates=dates,
        rows=[(hour, [cells.get((date, hour), []) for date in dates]) for hour in hours],
        slot_count=len(views),
        with_someone=sum(1 for view in views if view.slot.taken),
        fully_covered=sum(1 for view in views if view.state == COVERED),
    )


# A day of 15-minute slots: a vigil with more slots is shown one day at a time, so that a
# month of 15-minute slots (2,976) is not sent, and drawn, all at once.
SLOTS_ON_ONE_SCREEN = 96


@dataclasses.dataclass
class Days:
    dates: list  # every local date of the vigil, for the day picker
    current: datetime.date | None  # the date shown, or None when every date is
    views: list  # the slots shown

    @property
    def paged(self):
        return self.current is not None


def parse_day(value):
    """The date ?day=YYYY-MM-DD names, or None for anything else."""
    if not isinstance(value, str) or len(value) != 10 or not value.isascii():
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def shown_days(views, wanted=None):
    """Which slots the page shows: all of a short vigil's; else one local date's, ``wanted``
    when it is a date of the vigil, otherwise the first date with a slot still to come."""
    dates = sorted({view.local_start.date() for view in views})
    if len(views) <= SLOTS_ON_ONE_SCREEN:
        return Days(dates=dates, current=None, views=views)
    current = parse_day(wanted)
    if current not in dates:
        upcoming = next((view for view in views if not view.past), views[0])
        current = upcoming.local_start.date()
    return Days(
        dates=dates,
        current=current,
        views=[view for view in views if view.local_start.date() == current],
    )


def pulse(views):
    """(who is praying now, the next slot to fill or None)."""
    praying = [name for view in views if view.now for name in view.names]
    upcoming = [view for view in views if not view.past and not view.now]
    next_empty = next((view for view in upcoming if view.state == EMPTY), None)
    next_open = next_empty or next((view for view in upcoming if view.choosable), None)
    return praying, next_open


def bookings_ics_bytes(signup, slots, manage_url):
    """A calendar file with one timed event per slot, in UTC (every calendar app converts)."""
    from vigils.calendars import site_host

    ics = icalendar.Calendar()
    ics.add("prodid", "-//Vigil//Prayer vigil//EN")
    ics.add("version", "2.0")
    ics.add("method", "PUBLISH")
    ics.add("x-wr-calname", f"Prayer vigil: {signup.vigil.title}")
    host = site_host()
    stamp = timezone.now()
    themes = list(signup.vigil.themes.all())
    for slot in slots:
        theme = theme_for(themes, slot.starts_at.astimezone(signup.vigil.zone))
        event = icalendar.Event()
        event.add("uid", f"vigil-{signup.vigil_id}-slot-{slot.pk}-signup-{signup.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", slot.starts_at.astimezone(datetime.UTC))
        event.add("dtend", slot.ends_at.astimezone(datetime.UTC))
        event.add("summary", f"Prayer vigil: {signup.vigil.title}")
        description = [f"Theme: {theme}" if theme else "", signup.vigil.full_url]
        description.append(f"See or cancel your slots: {manage_url}")
        event.add("description", "\n\n".join(part for part in description if part))
        event.add("url", signup.vigil.full_url)
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Your prayer slot: {signup.vigil.title}")
        alarm.add("trigger", datetime.timedelta(minutes=-15))
        event.add_component(alarm)
        ics.add_component(event)
    return ics.to_ical()
