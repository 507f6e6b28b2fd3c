"""The models core took over from website (core 0001, website 0009) keep their rows, and their
content types follow them, so permissions and log entries still point at the right model."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from wagtail.models import ModelLogEntry, Site

from core.models import OrganisationSettings, Suppression, TaskHeartbeat, WebhookReceipt
from tests.reused_db import restore_migration_data

BEFORE = [("website", "0008_calls_to_action_settings_and_story_override")]


def migrate_to_the_end():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def rows_before_the_move():
    """A database as website 0008 left it: the rows, website's content type, a grant, a log."""
    restore_migration_data()  # an earlier transactional test flushed every table
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    ContentType.objects.clear_cache()
    apps = executor.loader.project_state(BEFORE).apps
    apps.get_model("website", "Suppression").objects.create(
        email="bounced@example.org", reason="hard_bounce", active=True
    )
    apps.get_model("website", "WebhookReceipt").objects.create(key="k" * 64)
    apps.get_model("website", "TaskHeartbeat").objects.create(
        cluster="vigil", beat_at=timezone.now()
    )
    apps.get_model("website", "OrganisationSettings").objects.update_or_create(
        site_id=Site.objects.get(is_default_site=True).pk,
        defaults={"organisation_name": "Freedom Network"},
    )
    old_type = apps.get_model("contenttypes", "ContentType").objects.get(
        app_label="website", model="suppression"
    )
    return old_type.pk


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_rows_stay_and_the_content_type_follows_the_model():
    old_type_id = rows_before_the_move()
    group = Group.objects.create(name="Mail desk")
    group.permissions.add(
        Permission.objects.get(content_type_id=old_type_id, codename="change_suppression")
    )
    ModelLogEntry.objects.create(
        content_type_id=old_type_id,
        label="bounced@example.org",
        action="wagtail.edit",
        object_id="1",
        timestamp=timezone.now(),
    )

    migrate_to_the_end()

    assert Suppression.objects.get().email == "bounced@example.org"
    assert WebhookReceipt.objects.get().key == "k" * 64
    assert TaskHeartbeat.objects.get().cluster == "vigil"
    site = Site.objects.get(is_default_site=True)
    assert OrganisationSettings.for_site(site).organisation_name == "Freedom Network"
    content_type = ContentType.objects.get_for_model(Suppression)
    assert content_type.pk == old_type_id, "the same row, relabelled"
    assert not ContentType.objects.filter(app_label="website", model="suppression").exists()
    assert group.permissions.filter(
        content_type__app_label="core", codename="change_suppression"
    ).exists()
    assert ModelLogEntry.objects.get(label="bounced@example.org").content_type_id == old_type_id


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_a_content_type_core_already_made_takes_over_the_grants():
    """`migrate core` alone runs post_migrate, which makes core's content types before website
    0009 relabels website's: the grants move over and the old type goes."""
    old_type_id = rows_before_the_move()
    group = Group.objects.create(name="Mail desk")
    group.permissions.add(
        Permission.objects.get(content_type_id=old_type_id, codename="view_suppression")
    )
    early = ContentType.objects.create(app_label="core", model="suppression")
    Permission.objects.create(content_type=early, codename="view_suppression", name="Can view")

    migrate_to_the_end()

    assert not ContentType.objects.filter(pk=old_type_id).exists()
    assert ContentType.objects.get_for_model(Suppression).pk == early.pk
    assert list(group.permissions.values_list("content_type_id", "codename")) == [
        (early.pk, "view_suppression")
    ]


def test_prayer_moderators_may_change_the_suppression_list(db):
    moderators = Group.objects.get(name="Prayer moderators")
    assert moderators.permissions.filter(
        content_type__app_label="core", codename="change_suppression"
    ).exists()
