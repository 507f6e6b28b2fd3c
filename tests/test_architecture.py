"""The project's import rules, checked on the real tree (tests/import_graph.py).

Issue 15: `core` imports no app and names none, page models do not import views, no
module-level import cycle, and apps depend on each other one way only (features on the
editorial app `website`, everything on `core`), in code and in migrations. What is not yet
true is listed below, explicitly: the lists may only shrink. When you remove one, delete its
entry (the tests fail on stale entries too, so the lists stay today's truth).
"""

import ast

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

# Migration dependencies that point up (into a feature app) where the other app's point back.
TWO_WAY_MIGRATIONS = {
    # ConsentRecord.prayer_request: website's consent migration needs prayer's. The foreign
    # key (and its check constraint) would have to move to a prayer-owned link table.
    (("website", "0005_consent_records"), ("prayer", "0007_taken_down_status_and_digest_item_ids")),
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


def test_migrations_depend_both_ways_only_where_listed():
    edges = build_migration_graph(build_graph()).app_edges()
    two_way = {
        pair
        for (source, target), pairs in edges.items()
        if (target, source) in edges
        and target in FEATURES
        and (source in FEATURES or source in {"website", "core"})
        for pair in pairs
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
