"""Who organises vigils and calendars: prayer moderators fully, campaign coordinators too."""

from django.db import migrations

ORGANISER_GRANTS = {
    ("prayer", "vigilsignup"): ["change", "delete", "view"],
    ("prayer", "slotbooking"): ["view"],
    ("prayer", "vigilslot"): ["view"],
    ("prayer", "vigilmessage"): ["add", "view"],
    ("prayer", "calendarsubscription"): ["change", "delete", "view"],
}
GROUPS = ["Prayer moderators", "Campaign coordinators"]
ADMIN_ACCESS = ("wagtailadmin", "admin", "access_admin")


def permission(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    found, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": f"Can {codename.replace('_', ' ')}"},
    )
    return found


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    wanted = [permission(apps, *ADMIN_ACCESS)] + [
        permission(apps, app_label, model, f"{action}_{model}")
        for (app_label, model), actions in ORGANISER_GRANTS.items()
        for action in actions
    ]
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*wanted)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    models = [model for _, model in ORGANISER_GRANTS]
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="prayer", content_type__model__in=models
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("prayer", "0004_calendars_and_vigils"),
        ("website", "0003_staff_groups"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
