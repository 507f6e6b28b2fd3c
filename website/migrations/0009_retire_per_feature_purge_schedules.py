"""The four per-feature purges of unconfirmed rows became one (website.confirmation).

ensure_schedules creates and updates schedules by name but never deletes one, so an existing
install would keep running the old rows daily, each naming a function that no longer exists.
"""

from django.db import migrations

RETIRED = [
    "volunteer-purge-unconfirmed",
    "purge-unconfirmed-vigil-signups",
    "purge-unconfirmed-calendar-subscriptions",
    "purge-unconfirmed-subscriptions",
]


def retire(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=RETIRED).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("website", "0008_calls_to_action_settings_and_story_override"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(retire, migrations.RunPython.noop)]
