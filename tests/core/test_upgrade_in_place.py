"""Installs made by an earlier release upgrade with `manage.py migrate`.

`migrate` refuses to run when an applied migration depends on one that is not applied
(InconsistentMigrationHistory). So a released migration must never gain a dependency on a
later one: every existing install would stop at `migrate`, while a fresh test database never
shows it. `make bench-upgrade` goes further, with a release's own code and data.
"""

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
