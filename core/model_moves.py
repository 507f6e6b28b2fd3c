"""Moving models between apps without touching their tables (for migrations).

A model that changes app keeps its table (its Meta names db_table): the old app's migration
removes it from Django's state only, the new app's creates it in state only, and the content
types follow with `relabel_content_types`, so that permissions granted on them, Wagtail's
pages (their content_type), revisions, log entries and the admin's history keep pointing at
the same rows. Used by migrations: keep this function's behaviour stable.
"""

OTHER_CONTENT_TYPE_LINKS = (("wagtailcore", "ModelLogEntry"), ("admin", "LogEntry"))


def relabel_content_types(apps, models, from_label, to_label):
    """Give the content types of `models` (lower-case names) the app label `to_label`."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in models:
        old = ContentType.objects.filter(app_label=from_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=to_label, model=model).first()
        if new is None:
            old.app_label = to_label
            old.save(update_fields=["app_label"])
            continue
        # Both exist when a `migrate` of the new app alone created its content types before
        # this ran: the old one's grants move onto the new one's permissions, the old one goes.
        for permission in Permission.objects.filter(content_type=old):
            twin = Permission.objects.filter(content_type=new, codename=permission.codename).first()
            if twin is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
                continue
            twin.group_set.add(*permission.group_set.all())
            twin.user_set.add(*permission.user_set.all())
            permission.delete()
        for label, name in OTHER_CONTENT_TYPE_LINKS:
            try:
                entries = apps.get_model(label, name)
            except LookupError:
                continue
            entries.objects.filter(content_type=old).update(content_type=new)
        old.delete()
