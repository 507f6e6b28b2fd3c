"""Who records consent: Editors for stories and photos, Prayer moderators for prayer requests.

No group may delete a record: deleting a withdrawal would let its content back on the site.
"""

from django.db import migrations

GRANTS = {
    "Editors": ("website", "editorialconsent"),
    "Prayer moderators": ("website", "prayerrequestconsent"),
}
ACTIONS = ["add", "change", "view"]


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
    for name, (app_label, model) in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *[permission(apps, app_label, model, f"{action}_{model}") for action in ACTIONS]
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, (app_label, model) in GRANTS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label, content_type__model=model
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("website", "0005_consent_records"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
