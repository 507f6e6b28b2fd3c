"""A test database built once and reused (`--reuse-db`), kept true to the migrations.

Building the test database runs every migration (about 12 seconds), far longer than a small
test file takes. So the database is kept between runs, with two guards:

- it is built again when any migration changed since it was built (a fingerprint of the
  migration files of every installed app, kept under var/test-db-state/);
- what the migrations created (staff groups and their permissions, Wagtail's root page and
  collection, ...) is put back when a transactional test of an earlier run flushed every
  table: it is saved once, right after the build, the way Django saves it for
  `serialized_rollback`.
"""

import hashlib
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

STATE_DIR = Path(settings.BASE_DIR) / "var" / "test-db-state"
# Read before pytest-django points the connection at the test database.
DATABASE = Path(str(settings.DATABASES["default"]["NAME"])).name


def state_path(suffix):
    """One file per database and pytest-xdist worker, as each worker has its own database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return STATE_DIR / f"{connection.vendor}-{DATABASE}-{worker}.{suffix}"


def migrations_fingerprint():
    digest = hashlib.sha256()
    for app in sorted(apps.get_app_configs(), key=lambda app: app.label):
        folder = Path(app.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
            digest.update(f"{app.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def stale_test_databases():
    """Must the test database be built again? (Yes when it never was, here.)"""
    marker = state_path("fingerprint")
    return not marker.exists() or marker.read_text() != migrations_fingerprint()


def is_intact():
    """Do the rows migrations create still exist? Wagtail's root page stands for them all."""
    from wagtail.models import Page

    return Page.objects.filter(depth=1).exists()


def restore_migration_data():
    """After the test database is set up: save what migrations created when it was just built,
    or put it back when an earlier run's transactional test flushed it."""
    snapshot, marker = state_path("json"), state_path("fingerprint")
    fingerprint = migrations_fingerprint()
    built_now = not marker.exists() or marker.read_text() != fingerprint
    if built_now or not snapshot.exists():
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(connection.creation.serialize_db_to_string())
        marker.write_text(fingerprint)
        return
    if is_intact():
        return
    # Empty every table without post_migrate filling some again (content types,
    # permissions, task schedules): they all come back from the snapshot, with their ids.
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    connection.creation.deserialize_db_from_string(snapshot.read_text())
    reset_sequences()
    # The set-up's `migrate` cached the content types it had just made, with other ids.
    ContentType.objects.clear_cache()


def reset_sequences():
    """Rows came back with their ids: the next id of each table follows them (PostgreSQL)."""
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
