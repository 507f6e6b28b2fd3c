"""The suppression list, webhook receipts, task heartbeat and organisation settings now belong
to core (core 0001 takes them over with the same tables): website forgets them in its state
only, and their content types follow, so permissions granted on them (Prayer moderators may
change suppressions), Wagtail's log entries and admin history keep pointing at them.
"""

from django.db import migrations

MOVED = ("suppression", "webhookreceipt", "taskheartbeat", "organisationsettings")


def relabel(apps, from_label, to_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in MOVED:
        old = ContentType.objects.filter(app_label=from_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=to_label, model=model).first()
        if new is None:
            old.app_label = to_label
            old.save(update_fields=["app_label"])
            continue
        # Both exist when a `migrate` of core alone created core's before this ran: the old
        # one's grants move onto the new one's permissions, and the old one goes.
        for permission in Permission.objects.filter(content_type=old):
            twin = Permission.objects.filter(
                content_type=new, codename=permission.codename
            ).first()
            if twin is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
                continue
            twin.group_set.add(*permission.group_set.all())
            twin.user_set.add(*permission.user_set.all())
            permission.delete()
        for label, name in (("wagtailcore", "ModelLogEntry"), ("admin", "LogEntry")):
            try:
                entries = apps.get_model(label, name)
            except LookupError:
                continue
            entries.objects.filter(content_type=old).update(content_type=new)
        old.delete()


def forwards(apps, schema_editor):
    relabel(apps, "website", "core")


def backwards(apps, schema_editor):
    relabel(apps, "core", "website")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("website", "0008_calls_to_action_settings_and_story_override"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Suppression"),
                migrations.DeleteModel(name="WebhookReceipt"),
                migrations.DeleteModel(name="TaskHeartbeat"),
                migrations.DeleteModel(name="OrganisationSettings"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
