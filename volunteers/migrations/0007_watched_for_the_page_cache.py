"""A change to what these tables hold moves the "volunteers" generation, in the same transaction, so
no page kept in the page cache outlives it (core/generations.py, core/page_cache.py)."""

from django.db import migrations

import core.generations


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0006_phone_numbers_in_e164"),
        ("core", "0003_generations"),
    ]

    operations = [
        core.generations.WatchTables(
            "volunteers",
            ["Skill", "VolunteerIndexPage", "OpportunityPage", "Shift", "SignUp"],
        ),
    ]
