"""Generations of the public site's areas, moved by triggers (core/generations.py)."""

from django.db import migrations, models

import core.generations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_outbound_email"),
    ]

    operations = [
        migrations.CreateModel(
            name="Generation",
            fields=[
                ("area", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField()),
            ],
            options={"db_table": "core_generation"},
        ),
        core.generations.CreateGenerationFunction(),
    ]
