"""A change to what these tables hold moves the "prayer" generation, in the same transaction, so
no page kept in the page cache outlives it (core/generations.py, core/page_cache.py)."""

from django.db import migrations

import core.generations


class Migration(migrations.Migration):
    dependencies = [
        ("prayer", "0012_prayer_request_consent_links"),
        ("core", "0003_generations"),
    ]

    operations = [
        core.generations.WatchTables(
            "prayer", ["PrayerRequestConsentLink", "Topic", "PrayerWallPage", "PrayPage"]
        ),
        # "I prayed" alone moves nothing: the wall fills its counts in live (prayer/apps.py).
        core.generations.WatchTables(
            "prayer", ["PrayerRequest"], ignore_columns=["prayed_count"]
        ),
    ]
