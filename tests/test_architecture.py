"""The project's import rules, checked on the real tree (tests/import_graph.py).

Issue 15: `core` imports no app and names none, page models do not import views, no
module-level import cycle, and apps depend on each other one way only (features on the
editorial app `website`, everything on `core`), in code and in migrations. What is not yet
true is listed below, explicitly: the lists may only shrink. When you remove one, delete its
entry (the tests fail on stale entries too, so the lists stay today's truth).
"""

import ast

from tests.core.test_upgrade_in_place import is_released
from tests.import_graph import (
    ROOT,
    RUNTIME,
    build_graph,
    build_migration_graph,
    check,
    module_cycles,
    project_packages,
)

FEATURES = {"prayer", "digests", "vigils", "campaigns", "volunteers"}

# Imports from the editorial app (or core) up into a feature app: none left. Features
# register what the editorial app must know of them (consent targets, demo content).
UPWARD_IMPORTS: set[tuple[str, str]] = set()

BASE_APPS = {"website", "core"}

# Released migrations are frozen (never edited: tests/core/test_upgrade_in_place.py), so what
# they depend on stays as history. These are the only migrations of the base apps that may
# depend on a feature app; a new one may not (a feature orders itself with `run_before`).
RELEASED_UPWARD_MIGRATIONS = {
    # ConsentRecord.prayer_request, since moved to prayer's link table (prayer 0012; website
    # 0010 and 0011 drop the key without naming prayer in their dependencies).
    (("website", "0005_consent_records"), ("prayer", "0007_taken_down_status_and_digest_item_ids")),
}

# Migration dependencies that point up (into a feature app) where the other app's point back.
TWO_WAY_MIGRATIONS = {
    # Campaigns pray for a prayer topic, and calendars and vigils belong to a campaign: one of
    # the two foreign keys has to go (or become a registration the other app owns).
    (
        ("campaigns", "0002_registrations_resources_updates"),
        ("prayer", "0004_calendars_and_vigils"),
    ),
    (("prayer", "0004_calendars_and_vigils"), ("campaigns", "0001_initial")),
}

# What those two lists cause, and nothing else.
ALLOWED_RULES = {
    "app-migrations-depend-on-each-other",
    "migration-app-cycle",
}


def test_no_module_level_import_cycle():
    """A module-level cycle makes import order matter (and breaks at start-up one day)."""
    assert module_cycles(build_graph()) == []


def test_only_the_listed_violations_remain():
    """core imports and names no app, no model imports views, no migration cycle: all gone.
    The rest is what the lists above account for."""
    found = [v for v in check(base="core") if v.rule not in ALLOWED_RULES]
    assert found == [], "\n".join(map(str, found))


def test_the_editorial_app_imports_features_only_where_listed():
    graph = build_graph()
    upward = {
        (imp.source, imp.target)
        for imp in graph.app_imports(RUNTIME)
        if graph.apps[imp.source] in {"website", "core"} and graph.apps[imp.target] in FEATURES
    }
    assert upward - UPWARD_IMPORTS == set(), "a new import from website/core into a feature app"
    assert UPWARD_IMPORTS - upward == set(), "fixed: delete these entries from UPWARD_IMPORTS"


def test_no_new_migration_of_the_base_depends_on_a_feature():
    edges = build_migration_graph(build_graph()).named_app_edges()
    upward = {
        pair
        for (source, target), pairs in edges.items()
        if source in BASE_APPS and target in FEATURES
        for pair in pairs
    }
    new = upward - RELEASED_UPWARD_MIGRATIONS
    assert new == set(), "a new website/core migration depends on a feature app"
    assert RELEASED_UPWARD_MIGRATIONS - upward == set(), "stale: delete from the list"
    assert all(is_released(*source) for source, _ in RELEASED_UPWARD_MIGRATIONS), "not released"


def test_migrations_depend_both_ways_only_where_listed():
    """As the files name each other (a `run_before` is its declaring app's); the released
    migrations' frozen edges are history, checked above."""
    edges = build_migration_graph(build_graph()).named_app_edges()
    two_way = {
        pair
        for (source, target), pairs in edges.items()
        if (target, source) in edges
        and target in FEATURES
        and (source in FEATURES or source in BASE_APPS)
        for pair in pairs
        if pair not in RELEASED_UPWARD_MIGRATIONS
    }
    assert two_way - TWO_WAY_MIGRATIONS == set(), "a new two-way migration dependency"
    assert TWO_WAY_MIGRATIONS - two_way == set(), "fixed: delete these from TWO_WAY_MIGRATIONS"


def test_the_graph_sees_the_whole_tree():
    """A rule checked on an empty graph would pass for nothing."""
    graph = build_graph()
    for module in ("core.emails", "website.settings.base", "prayer.models", "campaigns.updates"):
        assert module in graph.modules, module
    assert len(graph.imports) > 300, "imports between project modules are read"


# Code that may queue work for the cluster with django-q2's own function: only the one door
# (core.tasks.enqueue queues on commit, so a task never sees rows that were rolled back).
QUEUING_DOOR = "core/tasks.py"
SCANNED = (*project_packages(ROOT), "tests", "bench")


def queues_without_enqueue(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names = {alias.name for alias in node.names}
            if (node.module == "django_q.tasks" and names & {"async_task", "*"}) or (
                node.module == "django_q" and "tasks" in names
            ):
                return True
        elif isinstance(node, ast.Import) and any(
            alias.name == "django_q.tasks" for alias in node.names
        ):
            return True
    return False


def test_only_core_tasks_imports_async_task():
    """Everything else calls core.tasks.enqueue, which waits for the transaction to commit."""
    offenders = [
        str(path.relative_to(ROOT))
        for folder in SCANNED
        for path in sorted((ROOT / folder).rglob("*.py"))
        if queues_without_enqueue(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == [QUEUING_DOOR]
