"""Installs made by an earlier release upgrade with `manage.py migrate`.

`migrate` refuses to run when an applied migration depends on one that is not applied
(InconsistentMigrationHistory). So a released migration must never gain a dependency on a
later one: every existing install would stop at `migrate`, while a fresh test database never
shows it. `make bench-upgrade` goes further, with a release's own code and data.
"""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

# The migrations of each app that a release has shipped: 0001 up to this number. Raise them
# when a release ships; "core" shipped none before the one-core redesign (after 61bb401).
RELEASED_UP_TO = {"website": 8, "prayer": 8, "campaigns": 7, "volunteers": 4, "core": 0}


def is_released(app, name):
    return app not in RELEASED_UP_TO or int(name[:4]) <= RELEASED_UP_TO[app]


def test_no_released_migration_depends_on_a_later_one():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    late = sorted(
        f"{app}.{name} -> {parent.key[0]}.{parent.key[1]}"
        for (app, name), node in graph.node_map.items()
        if app in RELEASED_UP_TO and is_released(app, name)
        for parent in node.parents
        if not is_released(*parent.key)
    )
    assert late == []


# --- consent records of prayer requests: the link moves to prayer (website 0010-0011, prayer 0012)

BEFORE_CONSENT_LINKS = [
    ("website", "0009_models_move_to_core"),
    ("prayer", "0010_one_name_for_link_versions"),
]
# More than one batch of the copy (1,000), both ways.
REQUEST_RECORDS = {"Pray for Meera's court case": 1200, "Pray for the night shelter": 3}


def migrate_consent_to(targets):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection).loader.project_state(targets).apps


def consent_records_before_the_move():
    """As an earlier release left them: records with website's foreign key to their request,
    and a photo's record beside them."""
    apps = migrate_consent_to(BEFORE_CONSENT_LINKS)
    PrayerRequest = apps.get_model("prayer", "PrayerRequest")
    ConsentRecord = apps.get_model("website", "ConsentRecord")
    photo = apps.get_model("wagtailimages", "Image").objects.create(
        title="Asha at the sewing class", file="original_images/asha.jpg", width=10, height=10
    )
    ConsentRecord.objects.create(image=photo, given_by="Asha", covers="The photo")
    expected = {}
    for title, count in REQUEST_RECORDS.items():
        request = PrayerRequest.objects.create(title=title, public_text="Please pray.")
        ConsentRecord.objects.bulk_create(
            ConsentRecord(prayer_request=request, given_by=f"Person {n}", covers="The request")
            for n in range(count)
        )
        expected[request.pk] = set(
            ConsentRecord.objects.filter(prayer_request=request).values_list("pk", flat=True)
        )
    return photo.pk, expected


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_consent_records_keep_their_prayer_requests_through_the_upgrade_and_back():
    from django.db.migrations.executor import MigrationExecutor

    from prayer.models.requests import PrayerRequest, PrayerRequestConsentLink
    from tests.reused_db import restore_migration_data
    from website.models import ConsentRecord

    restore_migration_data()  # an earlier transactional test flushed every table
    photo_id, expected = consent_records_before_the_move()
    total = 1 + sum(map(len, expected.values()))

    migrate_consent_to(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert ConsentRecord.objects.count() == total
    assert PrayerRequestConsentLink.objects.count() == total - 1
    for request_id, record_ids in expected.items():
        request = PrayerRequest.objects.get(pk=request_id)
        records = ConsentRecord.objects.for_content(request)
        assert set(records.values_list("pk", flat=True)) == record_ids
        assert set(records.values_list("target", flat=True)) == {"prayer_request"}
        assert records.first().content == request
    photo_record = ConsentRecord.objects.get(image_id=photo_id)
    assert (photo_record.target, photo_record.content.pk) == ("", photo_id)
    assert ConsentRecord.objects.editorial().count() == 1
    assert ConsentRecord.objects.prayer().count() == total - 1

    # Backwards (a rollback of the release): the foreign key gets every value back.
    apps = migrate_consent_to(BEFORE_CONSENT_LINKS)
    OldRecord = apps.get_model("website", "ConsentRecord")
    assert OldRecord.objects.count() == total
    for request_id, record_ids in expected.items():
        assert (
            set(OldRecord.objects.filter(prayer_request_id=request_id).values_list("pk", flat=True))
            == record_ids
        )

    migrate_consent_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert PrayerRequestConsentLink.objects.count() == total - 1
