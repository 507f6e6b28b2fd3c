"""Prayer moderators handle requests, topics, subscriptions, suppressions and digests."""

from django.db import migrations

GRANTS = {
    ("prayer", "prayerrequest"): ["add", "change", "delete", "view"],
    ("prayer", "topic"): ["add", "change", "delete", "view"],
    ("prayer", "subscription"): ["change", "delete", "view"],
    ("prayer", "digestissue"): ["view"],
    ("prayer", "digestdelivery"): ["view"],
    ("website", "suppression"): ["change", "view"],
    ("website", "region"): ["view"],
}


def current_label(ContentType, app_label, model):
    """website 0009 moved the suppression list to core and relabelled its content type. On a
    fresh database that may run before this does: the grant then goes to core's. (This
    migration must keep its dependencies: it is applied on every existing install.)"""
    if (app_label, model) == ("website", "suppression"):
        if ContentType.objects.filter(app_label="core", model=model).exists():
            return "core"
    return app_label


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name="Prayer moderators")
    for (app_label, model), actions in GRANTS.items():
        content_type, _ = ContentType.objects.get_or_create(
            app_label=current_label(ContentType, app_label, model), model=model
        )
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="Prayer moderators").first()
    if group is not None:
        group.permissions.filter(content_type__app_label="prayer").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("prayer", "0001_initial"),
        ("website", "0004_suppression"),
        ("website", "0003_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
