"""What the public site shows has changed: one number per area, moved by the database itself.

A page kept in the page cache (core/page_cache.py) remembers the generation of every area it
was drawn from, and is used again only while they are unchanged. The numbers live in the
database, in `core_generation`, and are moved by triggers on the tables each app watches
(`WatchTables` in its migrations), in the same transaction as the change:

- no code path can forget to purge: a view, the back office, a queryset `update()`, a schedule,
  a data migration or a psql session all move the number, because the table does;
- it cannot be purged too early: the new number is visible exactly when the change is;
- a cache that is down, or comes back with old entries, never serves a page from before a
  change, because the number that proves an entry current is read from the database, not
  from the cache.

A number starts at the trigger's clock in microseconds and then counts up, so a row that was
deleted (a test database flushed) never comes back to a value it had before.

PostgreSQL runs one trigger per statement (a bulk update moves the number once); SQLite, which
has only row triggers, one per row. Both upsert the area's row.

Gotcha: on SQLite, Django alters most columns by building a new table and dropping the old
one, and its triggers go with it. A migration that alters a watched table must run
`WatchTables` for it again afterwards; tests/core/test_generations.py fails until it does.
"""

import re

from django.db.migrations.operations.base import Operation

TRIGGER = "vigil_generation"
FUNCTION = "vigil_generation_bump"

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION vigil_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO core_generation (area, value)
    VALUES (TG_ARGV[0], (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
    ON CONFLICT (area) DO UPDATE SET value = core_generation.value + 1;
    RETURN NULL;
END
$$;
"""

SQLITE_BUMP = """
INSERT INTO core_generation (area, value)
VALUES ('{area}', CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))
ON CONFLICT (area) DO UPDATE SET value = value + 1;
"""

EVENTS = ("INSERT", "UPDATE", "DELETE")


def trigger_names(table):
    return [f"{TRIGGER}_{table}_{event.lower()}" for event in EVENTS]


def create_trigger_sql(vendor, table, area, columns=None):
    """`columns`: only an UPDATE that sets one of them moves the generation (None: any)."""
    if not area.isidentifier():
        raise ValueError(f"An area is a plain name, not {area!r}")
    update = "UPDATE"
    if columns is not None:
        update += " OF " + ", ".join(f'"{column}"' for column in columns)
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"',
            f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR {update} OR DELETE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}('{area}')",
        ]
    if vendor == "sqlite":
        bump = SQLITE_BUMP.format(area=area)
        events = [update if event == "UPDATE" else event for event in EVENTS]
        return [
            statement
            for event, name in zip(events, trigger_names(table), strict=True)
            for statement in (
                f'DROP TRIGGER IF EXISTS "{name}"',
                f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" BEGIN {bump} END',
            )
        ]
    raise NotImplementedError(f"No generation triggers for {vendor}")


def drop_trigger_sql(vendor, table):
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"']
    return [f'DROP TRIGGER IF EXISTS "{name}"' for name in trigger_names(table)]


def trigger_definitions(using=None):
    """{table: its update trigger's SQL} for every watched table, read from the database."""
    from django.db import connections

    conn = connections[using or "default"]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s",
                [TRIGGER],
            )
        else:
            cursor.execute(
                "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{TRIGGER}_%_update"],
            )
        return dict(cursor.fetchall())


def watched_tables(using=None):
    """{table: area} for every table whose changes move a generation."""
    # The area is the trigger's one quoted argument: bump('area') or VALUES ('area', ...).
    return {
        table: re.search(r"\('([a-z_]+)'", definition).group(1)
        for table, definition in trigger_definitions(using).items()
    }


def update_columns(table, using=None):
    """The columns whose update moves the table's generation, or None for any column."""
    listed = re.search(r"UPDATE OF (.+?) (?:OR|ON) ", trigger_definitions(using)[table])
    if listed is None:
        return None
    return {column.strip().strip('"') for column in listed.group(1).split(",")}


class CreateGenerationFunction(Operation):
    """The PostgreSQL function the triggers call (nothing to do on SQLite)."""

    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(POSTGRES_FUNCTION)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}() CASCADE")

    def describe(self):
        return "Create the function that moves a generation"


class WatchTables(Operation):
    """Move the generation of `area` whenever a row of these models' tables changes.

    `models` are names in the migration's app ("PrayerRequest") or "app_label.Model" for
    another app's tables (the editorial app watches Wagtail's). `ignore_columns` are columns
    whose updates alone move nothing: a value the page cache fills in live when it serves a
    page (core/page_cache.py, `live`), such as a request's "I prayed" count. Every other
    column is listed in the trigger, so a column added later must be watched again (run
    WatchTables after the AddField); tests/core/test_page_cache.py checks it.
    """

    reversible = True

    def __init__(self, area, models, ignore_columns=()):
        self.area = area
        self.models = list(models)
        self.ignore_columns = list(ignore_columns)

    def deconstruct(self):
        kwargs = {"ignore_columns": self.ignore_columns} if self.ignore_columns else {}
        return (self.__class__.__qualname__, [self.area, self.models], kwargs)

    def state_forwards(self, app_label, state):
        pass

    def tables(self, app_label, apps):
        """(table, watched columns or None) of each model."""
        for name in self.models:
            label = name if "." in name else f"{app_label}.{name}"
            meta = apps.get_model(label)._meta
            columns = None
            if self.ignore_columns:
                columns = [
                    field.column
                    for field in meta.local_concrete_fields
                    if field.column not in self.ignore_columns
                ]
            yield meta.db_table, columns

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        for table, columns in self.tables(app_label, to_state.apps):
            for statement in create_trigger_sql(vendor, table, self.area, columns):
                schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        for table, _columns in self.tables(app_label, from_state.apps):
            for statement in drop_trigger_sql(vendor, table):
                schema_editor.execute(statement)

    def describe(self):
        return f"Watch {len(self.models)} tables for changes to {self.area}"


def current():
    """{area: generation} as committed now: one query, on every request the page cache
    answers, so without the ORM's cost."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT area, value FROM core_generation")
        return dict(cursor.fetchall())
