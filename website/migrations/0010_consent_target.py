"""Consent records say which feature app's content they are for by name (`target`), so the
foreign key to prayer requests can move to a prayer-owned link (prayer 0012, which copies it;
website 0011 then drops the column). The check that a record is for exactly one piece of
content reads story, image and target: it no longer names a prayer column.

Nothing here needs prayer's tables: the records of prayer requests are found by this app's own
column, which is still here. Reversed, the old check comes back after prayer 0012 has put
the column's values back.
"""

from django.db import migrations, models

BATCH = 1000


def name_targets(apps, schema_editor):
    ConsentRecord = apps.get_model("website", "ConsentRecord")
    records = ConsentRecord.objects.using(schema_editor.connection.alias)
    pending = records.filter(prayer_request__isnull=False, target="").order_by("pk")
    last = 0
    while ids := list(pending.filter(pk__gt=last).values_list("pk", flat=True)[:BATCH]):
        records.filter(pk__in=ids).update(target="prayer_request")
        last = ids[-1]


class Migration(migrations.Migration):
    dependencies = [
        ("website", "0009_models_move_to_core"),
    ]

    operations = [
        migrations.AddField(
            model_name="consentrecord",
            name="target",
            field=models.CharField(blank=True, default="", editable=False, max_length=50),
        ),
        # State only (no column changes): prayer 0012's PrayerRequest.consent_records takes
        # the name this key's reverse accessor had.
        migrations.AlterField(
            model_name="consentrecord",
            name="prayer_request",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to="prayer.prayerrequest",
            ),
        ),
        migrations.RunPython(name_targets, migrations.RunPython.noop, elidable=False),
        migrations.RemoveConstraint(
            model_name="consentrecord", name="consent_for_exactly_one_content"
        ),
        migrations.AddConstraint(
            model_name="consentrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("image__isnull", True), ("story__isnull", False), ("target", "")),
                    models.Q(("image__isnull", False), ("story__isnull", True), ("target", "")),
                    models.Q(
                        ("image__isnull", True),
                        ("story__isnull", True),
                        models.Q(("target", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="consent_for_exactly_one_content",
            ),
        ),
    ]
