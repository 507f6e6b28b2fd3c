"""A change to what these tables hold moves the "campaigns" generation, in the same transaction, so
no page kept in the page cache outlives it (core/generations.py, core/page_cache.py)."""

from django.db import migrations

import core.generations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0009_phone_numbers_in_e164"),
        ("core", "0003_generations"),
    ]

    operations = [
        core.generations.WatchTables(
            "campaigns",
            ["CampaignIndexPage", "CampaignPage", "CampaignResource", "ChurchRegistration"],
        ),
    ]
