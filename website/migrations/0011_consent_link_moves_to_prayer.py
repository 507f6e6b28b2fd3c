"""The records' foreign key to prayer requests goes: prayer 0012 copied it into its own link
table first (its `run_before` names this migration, so this app's migrations depend on no
feature app). Reversed, the column comes back empty and prayer 0012 fills it again."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("website", "0010_consent_target"),
    ]

    operations = [
        migrations.RemoveField(model_name="consentrecord", name="prayer_request"),
    ]
