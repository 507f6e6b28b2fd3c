"""Campaign coordinators see and tidy registrations, and write and send updates."""

from django.db import migrations

GRANTS = {
    ("campaigns", "churchregistration"): ["change", "delete", "view"],
    ("campaigns", "registrationcontact"): ["change", "delete", "view"],
    ("campaigns", "campaignresource"): ["add", "change", "delete", "view"],
    ("campaigns", "resourcedownload"): ["view"],
    ("campaigns", "campaignupdate"): ["add", "change", "delete", "view"],
    ("campaigns", "updatedelivery"): ["view"],
    ("wagtailadmin", "admin"): ["access"],
}
# Editors keep the kit next to the campaign pages they write.
EDITOR_GRANTS = {("campaigns", "campaignresource"): ["add", "change", "delete", "view"]}
GROUP = "Campaign coordinators"
# Coordinators upload and choose the kit's documents (in the root collection and below).
DOCUMENT_PERMISSIONS = ["add_document", "change_document", "choose_document"]


def grant(apps, schema_editor):
    grant_to(apps, GROUP, GRANTS)
    grant_to(apps, "Editors", EDITOR_GRANTS)
    grant_documents(apps)


def grant_documents(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root = Collection.objects.filter(depth=1).first()
    if root is None:
        return
    group, _ = Group.objects.get_or_create(name=GROUP)
    content_type, _ = ContentType.objects.get_or_create(app_label="wagtaildocs", model="document")
    for codename in DOCUMENT_PERMISSIONS:
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": codename}
        )
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=permission
        )


def grant_to(apps, group_name, grants):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=group_name)
    for (app_label, model), actions in grants.items():
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
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    for group in Group.objects.filter(name__in=[GROUP, "Editors"]):
        group.permissions.remove(*group.permissions.filter(content_type__app_label="campaigns"))
    GroupCollectionPermission.objects.filter(
        group__name=GROUP, permission__codename__in=DOCUMENT_PERMISSIONS
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_registrations_resources_updates"),
        ("website", "0003_staff_groups"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
