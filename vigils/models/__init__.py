from vigils.models.calendars import (
    CalendarDaySend,
    CalendarDelivery,
    CalendarSubscription,
    PrayerCalendarDay,
    PrayerCalendarPage,
)
from vigils.models.vigils import (
    SlotBooking,
    VigilMessage,
    VigilMessageDelivery,
    VigilPage,
    VigilSignup,
    VigilSlot,
    VigilTheme,
)

__all__ = [
    "CalendarDaySend",
    "CalendarDelivery",
    "CalendarSubscription",
    "PrayerCalendarDay",
    "PrayerCalendarPage",
    "SlotBooking",
    "VigilMessage",
    "VigilMessageDelivery",
    "VigilPage",
    "VigilSignup",
    "VigilSlot",
    "VigilTheme",
]
