"""Volunteer coordinators run shifts, rosters, volunteers and safeguarding checks."""

from django.db import migrations

GRANTS = {
    ("volunteers", "shift"): ["add", "change", "delete", "view"],
    ("volunteers", "signup"): ["change", "view"],
    ("volunteers", "volunteer"): ["change", "view"],
    ("volunteers", "safeguardingcheck"): ["add", "change", "delete", "view"],
    ("volunteers", "shiftmessage"): ["add", "view"],
    ("volunteers", "skill"): ["add", "change", "view"],
    ("website", "region"): ["view"],
}
GROUP = "Volunteer coordinators"


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=GROUP)
    access_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=access_type, codename="access_admin", defaults={"name": "Can access admin"}
    )
    group.permissions.add(access_admin)
    for (app_label, model), actions in GRANTS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label="volunteers")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0001_initial"),
        ("website", "0003_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
