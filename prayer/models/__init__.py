from prayer.models.calendars import (
    CalendarDelivery,
    CalendarSubscription,
    PrayerCalendarDay,
    PrayerCalendarPage,
)
from prayer.models.digests import DigestDelivery, DigestIssue
from prayer.models.pray import PrayPage
from prayer.models.requests import PrayedMark, PrayerRequest
from prayer.models.subscriptions import Subscription
from prayer.models.topics import Topic
from prayer.models.vigils import (
    SlotBooking,
    VigilMessage,
    VigilMessageDelivery,
    VigilPage,
    VigilSignup,
    VigilSlot,
    VigilTheme,
)
from prayer.models.wall import PrayerWallPage

__all__ = [
    "CalendarDelivery",
    "CalendarSubscription",
    "DigestDelivery",
    "DigestIssue",
    "PrayPage",
    "PrayedMark",
    "PrayerCalendarDay",
    "PrayerCalendarPage",
    "PrayerRequest",
    "PrayerWallPage",
    "SlotBooking",
    "Subscription",
    "Topic",
    "VigilMessage",
    "VigilMessageDelivery",
    "VigilPage",
    "VigilSignup",
    "VigilSlot",
    "VigilTheme",
]
