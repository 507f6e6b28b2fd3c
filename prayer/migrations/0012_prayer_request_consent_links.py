"""The link between a consent record and its prayer request becomes prayer's own
(PrayerRequestConsentLink, one row per record): the editorial app's records stop naming prayer.

Copied in batches from website's ConsentRecord.prayer_request, which website 0011 drops after
this has run (`run_before`: the edge is declared here, downward). Backwards, the column is
filled again from the links before website 0010's old check comes back. Every row is kept.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Case, When

BATCH = 1000


def copy_to_links(apps, schema_editor):
    db = schema_editor.connection.alias
    ConsentRecord = apps.get_model("website", "ConsentRecord")
    Link = apps.get_model("prayer", "PrayerRequestConsentLink")
    records = (
        ConsentRecord.objects.using(db)
        .filter(prayer_request__isnull=False)
        .order_by("pk")
        .values_list("pk", "prayer_request_id")
    )
    last = 0
    while batch := list(records.filter(pk__gt=last)[:BATCH]):
        Link.objects.using(db).bulk_create(
            [Link(record_id=pk, prayer_request_id=request_id) for pk, request_id in batch],
            ignore_conflicts=True,
        )
        last = batch[-1][0]


def copy_back(apps, schema_editor):
    db = schema_editor.connection.alias
    ConsentRecord = apps.get_model("website", "ConsentRecord")
    Link = apps.get_model("prayer", "PrayerRequestConsentLink")
    links = Link.objects.using(db).order_by("record_id").values_list("record_id", "prayer_request_id")
    last = 0
    while batch := list(links.filter(record_id__gt=last)[:BATCH]):
        ConsentRecord.objects.using(db).filter(pk__in=[pk for pk, _ in batch]).update(
            prayer_request_id=Case(*(When(pk=pk, then=request_id) for pk, request_id in batch))
        )
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("prayer", "0011_digests_and_vigils_move_to_their_apps"),
        ("website", "0010_consent_target"),
    ]
    run_before = [
        ("website", "0011_consent_link_moves_to_prayer"),
    ]

    operations = [
        migrations.CreateModel(
            name="PrayerRequestConsentLink",
            fields=[
                (
                    "record",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="website.consentrecord",
                    ),
                ),
                (
                    "prayer_request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="prayer.prayerrequest",
                    ),
                ),
            ],
            options={"verbose_name": "prayer request consent link"},
        ),
        migrations.AddField(
            model_name="prayerrequest",
            name="consent_records",
            field=models.ManyToManyField(
                blank=True,
                related_name="prayer_requests",
                related_query_name="prayer_request",
                through="prayer.PrayerRequestConsentLink",
                to="website.consentrecord",
            ),
        ),
        migrations.RunPython(copy_to_links, copy_back, elidable=False),
    ]
