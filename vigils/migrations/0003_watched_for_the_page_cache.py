"""A change to what these tables hold moves the "vigils" generation, in the same transaction, so
no page kept in the page cache outlives it (core/generations.py, core/page_cache.py)."""

from django.db import migrations

import core.generations


class Migration(migrations.Migration):
    dependencies = [
        ("vigils", "0002_calendar_days_through_the_outbox"),
        ("core", "0003_generations"),
    ]

    operations = [
        core.generations.WatchTables(
            "vigils",
            [
                "PrayerCalendarPage",
                "PrayerCalendarDay",
                "VigilPage",
                "VigilTheme",
                "VigilSlot",
                "VigilSignup",
                "SlotBooking",
            ],
        ),
    ]
