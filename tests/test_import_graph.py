"""The import graph tool (tests/import_graph.py) on small package trees written for each test.

These prove the measure, not today's tree: issue 15's architecture test will assert that
`violations(build_graph(), base="core")` is empty once the redesign has landed.
"""

import json
import textwrap
from pathlib import Path

import pytest

from tests.import_graph import (
    RUNTIME,
    build_graph,
    build_migration_graph,
    check,
    cycles,
    deferred_cycle_imports,
    migration_violations,
    module_cycles,
    project_packages,
    report,
    strongly_connected_components,
    violations,
)

APPS = ("core", "alpha", "beta")


def write_tree(root: Path, files: dict[str, str], apps: tuple[str, ...] = APPS) -> Path:
    """Each app gets a package and an apps.py; `files` maps paths to (dedented) source."""
    for app in apps:
        (root / app).mkdir(parents=True, exist_ok=True)
        (root / app / "__init__.py").touch()
        (root / app / "apps.py").write_text("")
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return root


def edges(root: Path, kinds: set[str] | None = None) -> set[tuple[str, str, str]]:
    graph = build_graph(root, APPS)
    return {
        (imp.source, imp.target, imp.kind)
        for imp in graph.imports
        if kinds is None or imp.kind in kinds
    }


def rules(found: list) -> list[str]:
    return [violation.rule for violation in found]


def test_a_module_level_cycle_is_found_with_its_modules(tmp_path):
    write_tree(
        tmp_path,
        {
            "alpha/one.py": "from alpha.two import B\n",
            "alpha/two.py": "from alpha import three\nB = 1\n",
            "alpha/three.py": "import alpha.one\n",
            "alpha/four.py": "from alpha.one import A\n",  # reaches the cycle, not in it
        },
    )
    graph = build_graph(tmp_path, APPS)

    assert module_cycles(graph) == [["alpha.one", "alpha.three", "alpha.two"]]
    [violation] = violations(graph, base="core")
    assert violation.rule == "module-cycle"
    assert "3 modules" in violation.detail
    assert set(violation.evidence) == {
        "alpha.one:1 -> alpha.two",
        "alpha.two:1 -> alpha.three",
        "alpha.three:1 -> alpha.one",
    }


def test_a_module_importing_itself_adds_no_edge_though_a_self_loop_is_a_cycle(tmp_path):
    write_tree(tmp_path, {"alpha/one.py": "from alpha import one\n"})
    graph = build_graph(tmp_path, APPS)

    # Left out of the edges (Python finds it half-built in sys.modules), and no cycle.
    assert module_cycles(graph) == []
    assert cycles({"x": {"x"}, "y": set()}) == [["x"]]


def test_an_import_inside_a_function_closes_no_module_level_cycle(tmp_path):
    write_tree(
        tmp_path,
        {
            "alpha/pages.py": "from alpha.rendering import render\n",
            "alpha/rendering.py": """\
                def render():
                    from alpha.pages import Page
                    return Page

                class View:
                    def get(self):
                        import alpha.pages
            """,
        },
    )
    graph = build_graph(tmp_path, APPS)

    assert module_cycles(graph) == []
    assert violations(graph, base="core") == []
    # It is still a dependency: counted, and listed as the import that hides a cycle.
    assert [str(i) for i in graph.function_level_cross_module()] == [
        "alpha.rendering:2 -> alpha.pages (in a function)",
        "alpha.rendering:7 -> alpha.pages (in a function)",
    ]
    assert len(deferred_cycle_imports(graph)) == 2
    assert module_cycles(graph, RUNTIME) == [["alpha.pages", "alpha.rendering"]]


def test_class_bodies_and_try_blocks_run_on_import(tmp_path):
    write_tree(
        tmp_path,
        {
            "alpha/one.py": """\
                try:
                    from alpha import two
                except ImportError:
                    two = None

                class Config:
                    from alpha import three
            """,
            "alpha/two.py": "",
            "alpha/three.py": "",
        },
    )
    assert edges(tmp_path) == {
        ("alpha.one", "alpha.two", "module"),
        ("alpha.one", "alpha.three", "module"),
    }


def test_imports_under_type_checking_never_run(tmp_path):
    write_tree(
        tmp_path,
        {
            "alpha/one.py": """\
                import typing
                from typing import TYPE_CHECKING

                from alpha.two import B

                if TYPE_CHECKING:
                    from alpha.three import C

                    def helper():
                        from beta.models import D
                else:
                    from alpha import four

                if typing.TYPE_CHECKING:
                    import core.settings
            """,
            "alpha/two.py": "from alpha.one import A\nB = 1\n",
            "alpha/three.py": "from alpha.one import A\n",
            "alpha/four.py": "",
            "beta/models.py": "from alpha import one\n",
            "core/settings.py": "",
        },
    )
    graph = build_graph(tmp_path, APPS)

    assert {(i.source, i.target) for i in graph.imports if i.kind == "type_checking"} == {
        ("alpha.one", "alpha.three"),
        ("alpha.one", "beta.models"),
        ("alpha.one", "core.settings"),
    }
    assert ("alpha.one", "alpha.four", "module") in edges(tmp_path)
    # The real cycle one <-> two is reported; the typing-only ones are not, nor are the
    # typing-only imports of beta and core (which would otherwise make alpha and beta, and
    # core and alpha, import each other).
    assert [(v.rule, v.evidence) for v in violations(graph, base="core")] == [
        ("module-cycle", ("alpha.one:4 -> alpha.two", "alpha.two:1 -> alpha.one"))
    ]


def test_relative_imports_resolve_against_the_importing_package(tmp_path):
    write_tree(
        tmp_path,
        {
            "alpha/views/__init__.py": "from . import lists\nfrom .detail import show\n",
            "alpha/views/lists.py": "from .. import models\nfrom ..forms import Form\n",
            "alpha/views/detail.py": "from .lists import index\nfrom ...beta import x\n",
            "alpha/models.py": "from .views import lists\nfrom . import forms as f\n",
            "alpha/forms.py": "",
        },
    )
    assert edges(tmp_path) == {
        ("alpha.views", "alpha.views.lists", "module"),
        ("alpha.views", "alpha.views.detail", "module"),
        ("alpha.views.lists", "alpha.models", "module"),
        ("alpha.views.lists", "alpha.forms", "module"),
        ("alpha.views.detail", "alpha.views.lists", "module"),
        # `...beta` climbs above the top-level package: Python refuses it, no edge.
        ("alpha.models", "alpha.views.lists", "module"),
        ("alpha.models", "alpha.forms", "module"),
    }


def test_from_a_package_import_a_module_or_a_name(tmp_path):
    write_tree(
        tmp_path,
        {
            "alpha/models/__init__.py": "from .pages import Page\nHOME = 1\n",
            "alpha/models/pages.py": "Page = 1\n",
            "beta/one.py": "from alpha.models import pages\n",  # the submodule
            "beta/two.py": "from alpha.models.pages import Page\n",  # the submodule
            "beta/three.py": "from alpha.models import Page\n",  # the package's __init__
            "beta/four.py": "from alpha.models import HOME, pages\n",  # both
            "beta/five.py": "import alpha.models.pages.Page\n",  # longest module prefix
            "beta/six.py": "import alpha\nfrom alpha.models import *\nimport django.db\n",
        },
    )
    assert edges(tmp_path) - {("alpha.models", "alpha.models.pages", "module")} == {
        ("beta.one", "alpha.models.pages", "module"),
        ("beta.two", "alpha.models.pages", "module"),
        ("beta.three", "alpha.models", "module"),
        ("beta.four", "alpha.models", "module"),
        ("beta.four", "alpha.models.pages", "module"),
        ("beta.five", "alpha.models.pages", "module"),
        ("beta.six", "alpha", "module"),
        ("beta.six", "alpha.models", "module"),
    }


def test_two_apps_importing_each_other_are_reported_once_with_their_imports(tmp_path):
    write_tree(
        tmp_path,
        {
            "alpha/models.py": "from core import mail\n",
            "alpha/views.py": "def view():\n    from beta.models import Thing\n",
            "beta/models.py": "from alpha.models import Other\nfrom core import mail\n",
            "core/mail.py": "",
        },
    )
    graph = build_graph(tmp_path, APPS)

    assert graph.app_matrix("module") == {
        ("alpha", "core"): 1,
        ("beta", "alpha"): 1,
        ("beta", "core"): 1,
    }
    assert graph.app_matrix("function") == {("alpha", "beta"): 1}
    [violation] = violations(graph, base="core")
    assert violation.rule == "apps-import-each-other"
    assert violation.detail == "alpha imports beta (1) and beta imports alpha (1)"
    assert violation.evidence == (
        "alpha.views:2 -> beta.models (in a function)",
        "beta.models:1 -> alpha.models",
    )
    # Counting module-level imports only, the pair is one-way.
    assert violations(graph, base="core", kinds=frozenset({"module"})) == []


def test_a_circle_of_three_apps_is_reported(tmp_path):
    write_tree(
        tmp_path,
        {
            "alpha/a.py": "import beta.b\n",
            "beta/b.py": "def f():\n    import core.c\n",
            "core/c.py": "def f():\n    import alpha.a\n",
        },
    )
    found = violations(build_graph(tmp_path, APPS), base="other")

    assert [(v.rule, v.evidence) for v in found] == [("app-cycle", ("alpha", "beta", "core"))]


def test_the_base_importing_an_app_is_reported_and_apps_importing_the_base_are_not(tmp_path):
    write_tree(
        tmp_path,
        {
            "core/privacy.py": "REGISTRY = []\n",
            "core/consent.py": "def target():\n    from alpha.models import Request\n",
            "alpha/models.py": "from core.privacy import REGISTRY\n",
            "beta/models.py": "from core import privacy\nfrom alpha import models\n",
        },
    )
    graph = build_graph(tmp_path, APPS)

    found = violations(graph, base="core")
    assert rules(found) == ["base-imports-app", "apps-import-each-other"]
    assert found[0].detail == "core imports alpha (1 imports)"
    assert found[0].evidence == ("core.consent:2 -> alpha.models (in a function)",)
    # With nothing importing upward, the tree passes.
    (tmp_path / "core/consent.py").write_text("")
    assert violations(build_graph(tmp_path, APPS), base="core") == []


def test_models_importing_views_are_reported(tmp_path):
    write_tree(
        tmp_path,
        {
            "alpha/models/__init__.py": "",
            "alpha/models/pages.py": "def serve(self):\n    from alpha.views import pages\n",
            "alpha/views/__init__.py": "",
            "alpha/views/pages.py": "from alpha.models.pages import Page\n",
            "alpha/urls.py": "from alpha.views import pages\n",  # views are for urls
        },
    )
    found = violations(build_graph(tmp_path, APPS), base="core")

    assert [(v.rule, v.evidence) for v in found] == [
        ("models-import-views", ("alpha.models.pages:2 -> alpha.views.pages (in a function)",))
    ]


def test_strings_in_the_base_naming_an_app_are_reported(tmp_path):
    write_tree(
        tmp_path,
        {
            "core/schedules.py": """\
                \"\"\"Runs alpha.tasks.send every hour.\"\"\"
                SCHEDULES = {"send": "alpha.tasks.send", "own": "core.tasks.purge"}
                TARGETS = ["alpha.Request", "beta.moderate_requests", "json.dumps", "v1.2"]
            """,
            "core/tasks.py": "",
            "alpha/tasks.py": 'PARENT = "core.Settings"\nLIST = "core.schedules.SCHEDULES"\n',
        },
    )
    graph = build_graph(tmp_path, APPS)

    found = violations(graph, base="core")
    assert [(v.rule, v.evidence) for v in found] == [
        (
            "base-names-app",
            (
                'core.schedules:2 names "alpha.tasks.send"',
                'core.schedules:3 names "alpha.Request"',
            ),
        ),
        # A permission ("app_label.codename") names the app too.
        ("base-names-app", ('core.schedules:3 names "beta.moderate_requests"',)),
    ]
    # An app naming the base is the right direction; counted in the figures, not a violation.
    assert [str(ref) for ref in graph.names if ref.target_app == "core"] == [
        'alpha.tasks:1 names "core.Settings"',
        'alpha.tasks:2 names "core.schedules.SCHEDULES"',
    ]
    assert violations(graph, base="core", names=False) == []


def test_a_nested_app_is_its_own_app(tmp_path):
    write_tree(
        tmp_path,
        {
            "alpha/wall/__init__.py": "",
            "alpha/wall/apps.py": "",
            "alpha/wall/views.py": "from alpha.digests import send\n",
            "alpha/digests.py": "from alpha.wall.views import show\n",
        },
    )
    graph = build_graph(tmp_path, APPS)

    assert graph.apps["alpha.wall.views"] == "alpha.wall"
    assert graph.apps["alpha.digests"] == "alpha"
    assert "apps-import-each-other" in rules(violations(graph, base="core"))


MIGRATION = """\
    from django.conf import settings
    from django.db import migrations


    class Migration(migrations.Migration):
        dependencies = {dependencies}
        {extra}
        operations = []
"""


def migration(dependencies: str, extra: str = "") -> str:
    return MIGRATION.format(dependencies=dependencies, extra=extra)


def test_migrations_of_two_apps_depending_on_each_other_are_reported(tmp_path):
    write_tree(
        tmp_path,
        {
            "core/settings.py": 'AUTH_USER_MODEL = "core.User"\n',
            "core/migrations/__init__.py": "",
            "core/migrations/0001_user.py": migration("[('auth', '0012_x')]"),
            "core/migrations/0002_consent.py": migration(
                "[('core', '0001_user'), ('alpha', '0003_requests')]"
            ),
            "alpha/migrations/__init__.py": "",
            "alpha/migrations/0001_initial.py": migration(
                "[migrations.swappable_dependency(settings.AUTH_USER_MODEL),"
                " migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL)]"
            ),
            "alpha/migrations/0002_more.py": migration("[('alpha', '0001_initial')]"),
            "alpha/migrations/0003_requests.py": migration("[('alpha', '0002_more')]"),
            "beta/migrations/__init__.py": "",
            "beta/migrations/0001_initial.py": migration(
                "[('core', '0001_user')]", extra="run_before = [('alpha', '0002_more')]"
            ),
        },
    )
    graph = build_graph(tmp_path, APPS)
    migrations = build_migration_graph(graph)

    assert migrations.dependencies[("alpha", "0001_initial")] == {
        ("core", "0001_user"),  # AUTH_USER_MODEL (read from the settings), its first migration
        ("wagtailcore", "__first__"),
    }
    assert ("beta", "0001_initial") in migrations.dependencies[("alpha", "0002_more")]
    assert migrations.app_graph() == {
        "alpha": {"beta", "core"},
        "beta": {"core"},
        "core": {"alpha"},
    }
    # As the files name each other: beta's run_before names alpha, alpha's files name no beta.
    assert set(migrations.named_app_edges()) == {
        ("alpha", "core"),
        ("beta", "alpha"),
        ("beta", "core"),
        ("core", "alpha"),
    }
    found = migration_violations(migrations, base="core")
    assert [(v.rule, v.detail) for v in found] == [
        ("base-migration-depends-on-app", "core's migrations depend on alpha's"),
        ("app-migrations-depend-on-each-other", "alpha and core migrations depend on each other"),
        ("migration-app-cycle", "apps' migrations depend in a circle"),
    ]
    assert found[1].evidence == (
        "alpha 0001_initial -> core 0001_user",
        "core 0002_consent -> alpha 0003_requests",
    )


def test_a_cycle_between_migrations_themselves_is_reported(tmp_path):
    write_tree(
        tmp_path,
        {
            "alpha/migrations/__init__.py": "",
            "alpha/migrations/0001_initial.py": migration("[('beta', '0001_initial')]"),
            "beta/migrations/__init__.py": "",
            "beta/migrations/0001_initial.py": migration("[('alpha', '__latest__')]"),
            "beta/migrations/0002_more.py": migration("[('beta', '0001_initial')]"),
        },
    )
    found = migration_violations(build_migration_graph(build_graph(tmp_path, APPS)))

    assert (found[-1].rule, found[-1].evidence) == (
        "migration-cycle",
        ("alpha 0001_initial", "beta 0001_initial"),
    )


def test_tarjan_needs_no_recursion_on_a_long_chain():
    chain = {n: {n + 1} for n in range(20_000)}
    chain[20_000] = {0}

    [component] = strongly_connected_components(chain)
    assert len(component) == 20_001
    assert (
        len(strongly_connected_components({n: {n + 1} for n in range(20_000)} | {20_000: set()}))
        == 20_001
    )


def test_the_packages_are_those_pyproject_ships_so_a_new_core_is_included(tmp_path):
    write_tree(tmp_path, {"tools/script.py": "import alpha\n", "alpha/data/x.py": ""})
    (tmp_path / "pyproject.toml").write_text(
        '[tool.setuptools.packages.find]\ninclude = ["alpha*", "beta*"]\n'
    )

    # `core` is always looked for; `tools` has no __init__ and is no package; a folder without
    # an __init__ inside a package is not importable either.
    assert project_packages(tmp_path) == ("alpha", "beta", "core")
    assert "alpha.data.x" not in build_graph(tmp_path).modules


def test_check_reads_imports_and_migrations_of_the_packages_pyproject_ships(tmp_path):
    write_tree(
        tmp_path,
        {
            "core/mail.py": "",
            "alpha/models.py": "from core import mail\n",
            "core/migrations/__init__.py": "",
            "core/migrations/0001_initial.py": migration("[('alpha', '0001_initial')]"),
            "alpha/migrations/__init__.py": "",
            "alpha/migrations/0001_initial.py": migration("[]"),
        },
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.setuptools.packages.find]\ninclude = ["core*", "alpha*"]\n'
    )

    assert rules(check(tmp_path, base="core")) == ["base-migration-depends-on-app"]
    (tmp_path / "core/migrations/0001_initial.py").write_text(textwrap.dedent(migration("[]")))
    assert check(tmp_path, base="core") == []


def test_the_report_prints_the_figures_and_one_json_line_last(tmp_path, capsys):
    write_tree(
        tmp_path,
        {
            "alpha/one.py": "import alpha.two\nimport core\n",
            "alpha/two.py": "def f():\n    import alpha.one\n",
            "core/hooks.py": "from alpha import one\n",
        },
    )

    figures = report(tmp_path, base="core", packages=APPS)

    last = capsys.readouterr().out.splitlines()[-1]
    assert json.loads(last) == figures
    assert figures["modules"] == 9  # three apps: __init__, apps.py, and the files
    assert figures["lines_outside_migrations"] == {"alpha": 4, "beta": 0, "core": 1}
    assert figures["function_level_cross_module_imports"] == 1
    assert figures["function_level_imports_hiding_a_cycle"] == 1
    assert figures["app_imports_module_level"] == {"alpha->core": 1, "core->alpha": 1}
    assert figures["violations"] == 2


def test_a_module_that_does_not_parse_stops_the_check_with_its_name(tmp_path):
    write_tree(tmp_path, {"alpha/one.py": "def broken(:\n"})

    # A module skipped would hide its imports: the check must not pass by leaving it out.
    with pytest.raises(SyntaxError, match="one.py"):
        build_graph(tmp_path, APPS)
