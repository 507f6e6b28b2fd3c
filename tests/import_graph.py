"""Vigil's import graph, read from the source with `ast` (nothing is imported).

Issue 15 wants dependencies to point one way: `core` imports no app, no two apps import each
other, and no module-level import cycle. This module measures that, so the architecture test can
assert it and `make imports` can print today's figures.

What counts as an import of a project module:

- `import a.b.c` depends on `a.b.c`; `from a.b import c` on the submodule `a.b.c` when there is
  one, otherwise on `a.b` (a name defined in it); relative imports are resolved against the
  importing module's package. Parent packages that Python also runs are not edges (as in grimp,
  import-linter's graph): a package's own imports are edges of its `__init__`.
- Where it runs: at module level (the module body, class bodies, `try`/`if` blocks: all run on
  import), inside a function or method (runs when called, so it cannot close an import-time
  cycle), or under `if TYPE_CHECKING:` (never runs; kept in the graph, left out of the checks).
- Strings are not imports, but a dotted string naming another app ("prayer.tasks.send_due",
  "prayer.PrayerRequest", "prayer.urls") still means the module knows that app. They are kept
  apart (`ImportGraph.names`): no edge, no cycle, but the base naming an app is a violation,
  since issue 15 has each app register its schedules, privacy module and targets itself.

Migrations are a second graph: each `Migration.dependencies` (and `run_before`) entry is an edge
between migrations, and so between apps (`website 0005` depends on `prayer 0007`, `prayer 0001`
on `website 0004`: the two apps' migrations depend on each other).
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import sys
import tomllib
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

ROOT = Path(__file__).resolve().parents[1]
# Used when pyproject.toml names no packages; `core` is the base issue 15 creates.
DEFAULT_PACKAGES = ("core", "website", "prayer", "digests", "vigils", "campaigns", "volunteers")

Kind = Literal["module", "function", "type_checking"]
RUNTIME: frozenset[Kind] = frozenset({"module", "function"})
MODULE_LEVEL: frozenset[Kind] = frozenset({"module"})

N = TypeVar("N", bound=Hashable)


@dataclass(frozen=True, order=True)
class Import:
    """One import statement's edge from a project module to a project module."""

    source: str
    target: str
    line: int
    kind: Kind

    def __str__(self) -> str:
        where = {"module": "", "function": " (in a function)", "type_checking": " (typing)"}
        return f"{self.source}:{self.line} -> {self.target}{where[self.kind]}"


@dataclass(frozen=True, order=True)
class NameReference:
    """A string that names another app's module, function or model ("prayer.tasks.send_due",
    "prayer.PrayerRequest"): no import, but the module still knows the app."""

    source: str
    line: int
    text: str
    target_app: str

    def __str__(self) -> str:
        return f'{self.source}:{self.line} names "{self.text}"'


@dataclass
class ImportGraph:
    """Every project module (name -> file), every import between them, and each module's app."""

    modules: dict[str, Path]
    apps: dict[str, str]
    imports: list[Import] = field(default_factory=list)
    names: list[NameReference] = field(default_factory=list)

    def edges(self, kinds: frozenset[Kind] = MODULE_LEVEL) -> dict[str, set[str]]:
        """Module -> modules it imports, by imports of these kinds (self-imports left out)."""
        graph: dict[str, set[str]] = {name: set() for name in self.modules}
        for imp in self.imports:
            if imp.kind in kinds and imp.source != imp.target:
                graph[imp.source].add(imp.target)
        return graph

    def app_imports(self, kinds: frozenset[Kind] = RUNTIME) -> list[Import]:
        """Imports of these kinds from one app into another."""
        return [
            imp
            for imp in self.imports
            if imp.kind in kinds and self.apps[imp.source] != self.apps[imp.target]
        ]

    def app_matrix(self, kind: Kind) -> Counter[tuple[str, str]]:
        """(importing app, imported app) -> number of import statements of this kind."""
        return Counter(
            (self.apps[imp.source], self.apps[imp.target])
            for imp in self.app_imports(frozenset({kind}))
        )

    def function_level_cross_module(self) -> list[Import]:
        """Imports inside functions of another project module: the deferred ones."""
        return [imp for imp in self.imports if imp.kind == "function" and imp.source != imp.target]


# --- discovering and naming modules ---------------------------------------------------------


def project_packages(root: Path) -> tuple[str, ...]:
    """The top-level packages pyproject.toml ships (so a new `core*` is picked up), or defaults."""
    patterns: list[str] = list(DEFAULT_PACKAGES)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        find = config.get("tool", {}).get("setuptools", {}).get("packages", {}).get("find", {})
        patterns += [p for p in find.get("include", []) if "." not in p]
    found = {
        path.name
        for path in root.iterdir()
        if (path / "__init__.py").is_file() and any(fnmatch.fnmatch(path.name, p) for p in patterns)
    }
    return tuple(sorted(found))


def iter_modules(root: Path, packages: Iterable[str]) -> Iterator[tuple[str, Path]]:
    """(dotted name, file) for every module of these packages; a package is its `__init__`."""
    for package in packages:
        base = root / package
        if not (base / "__init__.py").is_file():
            continue
        for path in sorted(base.rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            # Only folders that are packages are importable (skip stray scripts in data folders).
            if not all(
                (root.joinpath(*parts[:i]) / "__init__.py").is_file() for i in range(1, len(parts))
            ):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def app_of(module: str, app_packages: Sequence[str]) -> str:
    """The app a module belongs to: the deepest package with an `apps.py`, else its top package."""
    best = module.split(".")[0]
    for app in app_packages:
        if (module == app or module.startswith(app + ".")) and len(app) > len(best):
            best = app
    return best


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


# --- reading imports ------------------------------------------------------------------------


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(tree: ast.Module) -> Iterator[tuple[ast.Import | ast.ImportFrom, Kind]]:
    """Every import statement with where it runs; the innermost reason wins over module level."""

    def walk(node: ast.AST, kind: Kind) -> Iterator[tuple[ast.Import | ast.ImportFrom, Kind]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, kind
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    yield from walk_one(stmt, "type_checking")
                for stmt in child.orelse:
                    yield from walk_one(stmt, kind)
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                yield from walk(child, "type_checking" if kind == "type_checking" else "function")
            else:
                yield from walk(child, kind)

    def walk_one(stmt: ast.stmt, kind: Kind) -> Iterator[tuple[ast.Import | ast.ImportFrom, Kind]]:
        wrapper = ast.Module(body=[stmt], type_ignores=[])
        yield from walk(wrapper, kind)

    yield from walk(tree, "module")


def _resolve_from(
    module: str, is_package: bool, node: ast.ImportFrom, modules: Mapping[str, Path]
) -> list[str]:
    """The project modules a `from ... import ...` statement depends on."""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        if node.level - 1 > len(package) - 1:
            return []  # beyond the top-level package: Python would refuse it too
        base_parts = package[: len(package) - (node.level - 1)]
        base = ".".join(base_parts + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    targets: list[str] = []
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        if alias.name != "*" and submodule in modules:
            targets.append(submodule)
        elif base in modules:
            targets.append(base)
    return targets


def _resolve_import(name: str, modules: Mapping[str, Path]) -> str | None:
    """`import a.b.c` depends on the longest prefix of a.b.c that is a project module."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def module_imports(module: str, path: Path, modules: Mapping[str, Path]) -> list[Import]:
    """The project imports one module makes, each with its line and where it runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []
    for node, kind in _statements(tree):
        if isinstance(node, ast.Import):
            targets = [t for alias in node.names if (t := _resolve_import(alias.name, modules))]
        else:
            targets = _resolve_from(module, _is_package(path), node, modules)
        found += [Import(module, target, node.lineno, kind) for target in dict.fromkeys(targets)]
    return found


def build_graph(root: Path = ROOT, packages: Iterable[str] | None = None) -> ImportGraph:
    """Parse every module of the project packages (pyproject.toml's, by default)."""
    packages = tuple(packages) if packages is not None else project_packages(root)
    modules = dict(iter_modules(root, packages))
    app_packages = [
        name
        for name, path in modules.items()
        if _is_package(path) and (path.parent / "apps.py").is_file()
    ]
    graph = ImportGraph(
        modules=modules, apps={name: app_of(name, app_packages) for name in modules}
    )
    labels = {_app_label(modules[app].parent): app for app in app_packages}
    for name, path in modules.items():
        graph.imports += module_imports(name, path, modules)
        if ".migrations." not in f"{name}.":  # their model strings are the migration graph's
            graph.names += name_references(name, path, graph, labels)
    graph.imports.sort()
    graph.names.sort()
    return graph


DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")


def name_references(
    module: str, path: Path, graph: ImportGraph, labels: Mapping[str, str]
) -> list[NameReference]:
    """Strings in one module naming another app: a dotted path to its module or something in
    it (schedules, registries, URL includes), or "label.Model" (a foreign key, page types)."""
    found: list[NameReference] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if not DOTTED.fullmatch(node.value):
            continue
        parts = node.value.split(".")
        target: str | None
        if len(parts) == 2 and parts[0] in labels and parts[1][:1].isupper():
            target = labels[parts[0]]
        else:
            prefix = _resolve_import(node.value, graph.modules)
            target = graph.apps[prefix] if prefix else None
        if target is not None and target != graph.apps[module]:
            found.append(NameReference(module, node.lineno, node.value, target))
    return found


# --- cycles ---------------------------------------------------------------------------------


def strongly_connected_components(graph: Mapping[N, Iterable[N]]) -> list[list[N]]:
    """Tarjan's algorithm without recursion (Python's stack is too shallow for long chains)."""
    index: dict[N, int] = {}
    lowlink: dict[N, int] = {}
    on_stack: set[N] = set()
    stack: list[N] = []
    components: list[list[N]] = []
    successors = {node: list(targets) for node, targets in graph.items()}
    counter = 0
    for start in successors:
        if start in index:
            continue
        work: list[tuple[N, Iterator[N]]] = [(start, iter(successors.get(start, ())))]
        index[start] = lowlink[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = lowlink[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors.get(child, ()))))
                    break
                if child in on_stack:
                    lowlink[node] = min(lowlink[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowlink[parent] = min(lowlink[parent], lowlink[node])
                if lowlink[node] == index[node]:
                    component: list[N] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def cycles(graph: Mapping[N, Iterable[N]]) -> list[list[N]]:
    """Components that hold a cycle (two or more members, or one importing itself), largest
    first, each sorted."""
    found = [
        sorted(component, key=str)
        for component in strongly_connected_components(graph)
        if len(component) > 1 or component[0] in set(graph.get(component[0], ()))
    ]
    return sorted(found, key=lambda c: (-len(c), str(c[0])))


def module_cycles(graph: ImportGraph, kinds: frozenset[Kind] = MODULE_LEVEL) -> list[list[str]]:
    """Import cycles among modules; by default only module-level imports, which run on import."""
    return cycles(graph.edges(kinds))


def imports_within(graph: ImportGraph, members: Iterable[str], kind: Kind) -> list[Import]:
    """The imports of one kind between members of one component: what holds it together."""
    inside = set(members)
    return [
        imp
        for imp in graph.imports
        if imp.kind == kind
        and imp.source in inside
        and imp.target in inside
        and imp.source != imp.target
    ]


def models_importing_views(graph: ImportGraph, kinds: frozenset[Kind] = RUNTIME) -> list[Import]:
    """Imports from a `models` module or package into a `views` one: page models that route to
    their own views, which import the models back (issue 15 wants thin view functions instead)."""
    return [
        imp
        for imp in graph.imports
        if imp.kind in kinds
        and "models" in imp.source.split(".")
        and "views" in imp.target.split(".")
    ]


def deferred_cycle_imports(graph: ImportGraph) -> list[Import]:
    """Imports inside functions that would close a module-level cycle if moved to the top of
    their module: the target already reaches the source through module-level imports. These
    are the imports that hide a cycle rather than merely postpone work."""
    edges = graph.edges(MODULE_LEVEL)
    reach: dict[str, set[str]] = {}

    def reachable(start: str) -> set[str]:
        if start not in reach:
            seen = {start}
            todo = [start]
            while todo:
                for nxt in edges[todo.pop()]:
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
            reach[start] = seen
        return reach[start]

    return [
        imp for imp in graph.function_level_cross_module() if imp.source in reachable(imp.target)
    ]


# --- migrations -----------------------------------------------------------------------------

MigrationKey = tuple[str, str]


@dataclass
class MigrationGraph:
    """Migration -> the migrations it depends on; apps are labels, as Django names them."""

    dependencies: dict[MigrationKey, set[MigrationKey]]
    project_apps: set[str]
    # (later, earlier) edges of `dependencies` that `earlier`'s `run_before` declared: Django
    # orders them as a dependency of `later`, but it is `earlier`'s file that names `later`.
    run_before: set[tuple[MigrationKey, MigrationKey]] = field(default_factory=set)

    def app_edges(self) -> dict[tuple[str, str], list[tuple[MigrationKey, MigrationKey]]]:
        """(app, app it depends on) -> the migration pairs that make the edge; project apps only."""
        edges: dict[tuple[str, str], list[tuple[MigrationKey, MigrationKey]]] = {}
        for node, targets in sorted(self.dependencies.items()):
            for target in sorted(targets):
                if node[0] != target[0] and target[0] in self.project_apps:
                    edges.setdefault((node[0], target[0]), []).append((node, target))
        return edges

    def named_app_edges(self) -> dict[tuple[str, str], list[tuple[MigrationKey, MigrationKey]]]:
        """Like app_edges, by which app's file names the other: a `run_before` edge counts for
        the app that declares it (it must know the later migration), not for the later one."""
        edges: dict[tuple[str, str], list[tuple[MigrationKey, MigrationKey]]] = {}
        for pairs in self.app_edges().values():
            for node, target in pairs:
                named = (target, node) if (node, target) in self.run_before else (node, target)
                if named[1][0] in self.project_apps:
                    edges.setdefault((named[0][0], named[1][0]), []).append(named)
        return edges

    def app_graph(self) -> dict[str, set[str]]:
        graph: dict[str, set[str]] = {app: set() for app in sorted(self.project_apps)}
        for source, target in self.app_edges():
            graph[source].add(target)
        return graph


def _string_settings(graph: ImportGraph) -> dict[str, str]:
    """Module-level `NAME = "text"` assignments, for `swappable_dependency(settings.NAME)`."""
    found: dict[str, str] = {}
    for name, path in graph.modules.items():
        if ".settings" not in f".{name}":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found.setdefault(target.id, node.value.value)
    return found


def _app_label(app_package: Path) -> str:
    """An AppConfig's `label = "..."`, or the package's last name, as Django defaults it."""
    apps_py = app_package / "apps.py"
    if apps_py.is_file():
        for node in ast.walk(ast.parse(apps_py.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "label" for t in node.targets)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                return node.value.value
    return app_package.name


def _migration_entry(
    node: ast.expr, settings: Mapping[str, str], swappable: Mapping[str, str]
) -> MigrationKey | None:
    """("app", "0001_x") or swappable_dependency(settings.X) -> the key Django would use."""
    if isinstance(node, ast.Tuple) and len(node.elts) == 2:
        app, name = node.elts
        if isinstance(app, ast.Constant) and isinstance(name, ast.Constant):
            return str(app.value), str(name.value)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute | ast.Name)
        and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
        == "swappable_dependency"
        and node.args
        and isinstance(node.args[0], ast.Attribute)
    ):
        setting = node.args[0].attr
        value = settings.get(setting) or swappable.get(setting) or f"{setting}.?"
        return value.split(".")[0], "__first__"
    return None


def build_migration_graph(
    graph: ImportGraph, swappable: Mapping[str, str] | None = None
) -> MigrationGraph:
    """Each migrations module's `dependencies` and `run_before`, between app labels."""
    # Wagtail's own default; the project's settings override any of these.
    swappable = {"WAGTAIL_PAGE_MODEL": "wagtailcore.Page", **(swappable or {})}
    settings = _string_settings(graph)
    labels = {
        name: _app_label(path.parent)
        for name, path in graph.modules.items()
        if _is_package(path) and (path.parent / "apps.py").is_file()
    }
    dependencies: dict[MigrationKey, set[MigrationKey]] = {}
    run_before: set[tuple[MigrationKey, MigrationKey]] = set()
    for name, path in graph.modules.items():
        parts = name.split(".")
        if len(parts) < 3 or parts[-2] != "migrations" or _is_package(path):
            continue
        package, migration = parts[:-2], parts[-1]
        app = ".".join(package)
        label = labels.get(app, package[-1])
        key = (label, migration)
        dependencies.setdefault(key, set())
        for cls in ast.parse(path.read_text(encoding="utf-8")).body:
            if not (isinstance(cls, ast.ClassDef) and cls.name == "Migration"):
                continue
            for stmt in cls.body:
                if not (
                    isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.List | ast.Tuple)
                ):
                    continue
                for target in stmt.targets:
                    if not isinstance(target, ast.Name):
                        continue
                    entries = [_migration_entry(e, settings, swappable) for e in stmt.value.elts]
                    for entry in filter(None, entries):
                        if target.id == "dependencies":
                            dependencies[key].add(entry)
                        elif target.id == "run_before":
                            dependencies.setdefault(entry, set()).add(key)
                            run_before.add((entry, key))
    return MigrationGraph(
        dependencies=_resolve_first_and_latest(dependencies),
        project_apps=set(labels.values()),
        run_before=run_before,
    )


def _resolve_first_and_latest(
    dependencies: dict[MigrationKey, set[MigrationKey]],
) -> dict[MigrationKey, set[MigrationKey]]:
    """`(app, "__first__")` is the app's initial migration and `__latest__` its last ones, as
    Django reads them; other apps' (Django's, Wagtail's) are kept as they are."""
    by_app: dict[str, set[MigrationKey]] = {}
    for node in dependencies:
        by_app.setdefault(node[0], set()).add(node)
    first: dict[str, set[MigrationKey]] = {}
    latest: dict[str, set[MigrationKey]] = {}
    for app, nodes in by_app.items():
        needed = {dep for node in nodes for dep in dependencies[node] if dep[0] == app}
        first[app] = {n for n in nodes if not any(d[0] == app for d in dependencies[n])}
        latest[app] = nodes - needed

    def resolve(key: MigrationKey) -> set[MigrationKey]:
        app, name = key
        if name == "__first__" and first.get(app):
            return first[app]
        if name == "__latest__" and latest.get(app):
            return latest[app]
        return {key}

    return {
        node: {resolved for dep in deps for resolved in resolve(dep)}
        for node, deps in dependencies.items()
    }


# --- the checks -----------------------------------------------------------------------------

Rule = Literal[
    "base-imports-app",
    "base-names-app",
    "apps-import-each-other",
    "app-cycle",
    "module-cycle",
    "models-import-views",
    "base-migration-depends-on-app",
    "app-migrations-depend-on-each-other",
    "migration-app-cycle",
    "migration-cycle",
]


@dataclass(frozen=True)
class Violation:
    rule: Rule
    detail: str
    evidence: tuple[str, ...]

    def __str__(self) -> str:
        shown = "\n    ".join(self.evidence[:10])
        more = f"\n    ... and {len(self.evidence) - 10} more" if len(self.evidence) > 10 else ""
        return f"{self.rule}: {self.detail}\n    {shown}{more}"


def _pairs_and_cycles(
    edges: Mapping[tuple[str, str], Sequence[object]],
) -> tuple[list[tuple[str, str]], list[list[str]]]:
    """Pairs that point at each other, and the app cycles of three or more."""
    pairs = sorted({tuple(sorted(pair)) for pair in edges if (pair[1], pair[0]) in edges})
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    longer = [c for c in cycles(graph) if len(c) > 2]
    return [(a, b) for a, b in pairs], longer


def violations(
    graph: ImportGraph, base: str = "core", kinds: frozenset[Kind] = RUNTIME, names: bool = True
) -> list[Violation]:
    """What issue 15's architecture test forbids: (a) the base importing any app, (b) two apps
    importing each other (or a longer circle of apps), (c) a module-level import cycle, and
    (d) models importing views.

    (a) and (b) count imports of `kinds`: a deferred import inside a function still ties the
    apps together, so by default it counts; typing-only imports do not. With `names`, (a) also
    counts strings in the base that name an app (a central schedule or privacy list naming
    "prayer.tasks..."): apps register those from their own AppConfig.ready() instead.
    """
    found: list[Violation] = []
    by_pair: dict[tuple[str, str], list[Import]] = {}
    for imp in graph.app_imports(kinds):
        by_pair.setdefault((graph.apps[imp.source], graph.apps[imp.target]), []).append(imp)
    for (source, target), imps in sorted(by_pair.items()):
        if source == base:
            found.append(
                Violation(
                    "base-imports-app",
                    f"{base} imports {target} ({len(imps)} imports)",
                    tuple(map(str, imps)),
                )
            )
    named: dict[str, list[NameReference]] = {}
    for ref in graph.names if names else []:
        if graph.apps[ref.source] == base:
            named.setdefault(ref.target_app, []).append(ref)
    for target, refs in sorted(named.items()):
        found.append(
            Violation(
                "base-names-app",
                f"{base} names {target} in {len(refs)} strings",
                tuple(map(str, refs)),
            )
        )
    pairs, longer = _pairs_and_cycles(by_pair)
    for a, b in pairs:
        evidence = by_pair[(a, b)] + by_pair[(b, a)]
        found.append(
            Violation(
                "apps-import-each-other",
                f"{a} imports {b} ({len(by_pair[(a, b)])}) and {b} imports {a} "
                f"({len(by_pair[(b, a)])})",
                tuple(map(str, evidence)),
            )
        )
    for circle in longer:
        found.append(Violation("app-cycle", "apps import each other in a circle", tuple(circle)))
    for cycle in module_cycles(graph):
        held = imports_within(graph, cycle, "module")
        found.append(
            Violation(
                "module-cycle",
                f"{len(cycle)} modules import each other at module level: {', '.join(cycle)}",
                tuple(map(str, held)),
            )
        )
    by_module: dict[str, list[Import]] = {}
    for imp in models_importing_views(graph, kinds):
        by_module.setdefault(imp.source, []).append(imp)
    for module, imps in sorted(by_module.items()):
        found.append(
            Violation(
                "models-import-views",
                f"{module} imports views ({len(imps)} imports)",
                tuple(map(str, imps)),
            )
        )
    return found


def migration_violations(migrations: MigrationGraph, base: str = "core") -> list[Violation]:
    """The same rules for migrations: the base's migrations depend on no app's, and no two apps'
    migrations depend on each other (Django accepts that; the tables cannot then move apart)."""
    edges = migrations.app_edges()
    found: list[Violation] = []

    def evidence(pair: tuple[str, str]) -> tuple[str, ...]:
        return tuple(f"{a[0]} {a[1]} -> {b[0]} {b[1]}" for a, b in edges[pair])

    for source, target in sorted(edges):
        if source == base:
            found.append(
                Violation(
                    "base-migration-depends-on-app",
                    f"{base}'s migrations depend on {target}'s",
                    evidence((source, target)),
                )
            )
    pairs, longer = _pairs_and_cycles(edges)
    for a, b in pairs:
        found.append(
            Violation(
                "app-migrations-depend-on-each-other",
                f"{a} and {b} migrations depend on each other",
                evidence((a, b)) + evidence((b, a)),
            )
        )
    for circle in longer:
        found.append(
            Violation("migration-app-cycle", "apps' migrations depend in a circle", tuple(circle))
        )
    for cycle in cycles(migrations.dependencies):
        found.append(
            Violation(
                "migration-cycle",
                "migrations depend on each other (Django refuses this graph)",
                tuple(f"{app} {name}" for app, name in cycle),
            )
        )
    return found


def check(root: Path = ROOT, base: str = "core") -> list[Violation]:
    """Everything the architecture test asserts is empty: imports and migrations together."""
    graph = build_graph(root)
    return violations(graph, base=base) + migration_violations(
        build_migration_graph(graph), base=base
    )


# --- the report (`make imports`) ------------------------------------------------------------


def _matrix_lines(
    apps: Sequence[str], cell: Callable[[str, str], str], corner: str = "importer \\ imported"
) -> list[str]:
    width = max(len(a) for a in apps) + 2
    lines = [corner.ljust(width + 2) + "".join(a.rjust(width) for a in apps)]
    for source in apps:
        row = "".join(cell(source, target).rjust(width) for target in apps)
        lines.append(f"  {source}".ljust(width + 2) + row)
    return lines


def report(
    root: Path = ROOT, base: str | None = None, packages: Iterable[str] | None = None
) -> dict[str, object]:
    """Print the figures for the tree at `root`; return them as printed on the JSON line. The
    base is `core` once it exists, `website` (today's base and editorial app in one) before."""
    graph = build_graph(root, packages)
    if base is None:
        base = "core" if "core" in graph.modules else "website"
    migrations = build_migration_graph(graph)
    apps = sorted(set(graph.apps.values()))
    code_modules = [m for m in graph.modules if ".migrations." not in f"{m}."]
    module_level = module_cycles(graph)
    runtime = module_cycles(graph, RUNTIME)
    deferred = graph.function_level_cross_module()
    largest = module_level[0] if module_level else []
    largest_runtime = runtime[0] if runtime else []
    held_by = imports_within(graph, largest_runtime, "function")
    hiding = deferred_cycle_imports(graph)
    module_matrix = graph.app_matrix("module")
    function_matrix = graph.app_matrix("function")
    found = violations(graph, base=base)
    migration_found = migration_violations(migrations, base=base)

    lines = Counter(
        {
            app: sum(
                len(graph.modules[m].read_text(encoding="utf-8").splitlines())
                for m in code_modules
                if graph.apps[m] == app
            )
            for app in apps
        }
    )
    print(f"Packages: {', '.join(apps)}")
    print(f"Modules: {len(graph.modules)} ({len(code_modules)} outside migrations)")
    print(
        f"Lines of Python outside migrations: {lines.total()} ("
        + ", ".join(f"{app} {n}" for app, n in sorted(lines.items()))
        + ")"
    )
    print(
        f"Imports between project modules: {len(graph.imports)} "
        f"({sum(i.kind == 'module' for i in graph.imports)} module-level, "
        f"{sum(i.kind == 'function' for i in graph.imports)} in functions, "
        f"{sum(i.kind == 'type_checking' for i in graph.imports)} typing-only)"
    )
    print(
        f"Function-level imports of another module: {len(deferred)}; {len(held_by)} of them"
        f" between members of the largest cycle below, {len(hiding)} would close a module-level"
        " cycle if moved to the top of their module"
    )
    print(f"Imports from models into views: {len(models_importing_views(graph))}")
    print(f"Strings naming another app's module or model: {len(graph.names)}")
    print(f"\nModule-level import cycles: {len(module_level)}")
    for cycle in module_level:
        print(f"  {len(cycle)} modules: {', '.join(cycle)}")
    print(
        f"\nCounting imports inside functions too, the largest cycle spans {len(largest_runtime)}"
        f" modules ({', '.join(sorted({graph.apps[m] for m in largest_runtime}))}),"
        f" of which {len(held_by)} imports inside functions between its members:"
    )
    print(f"  {', '.join(largest_runtime)}")
    print("\nApp dependencies (module-level imports / imports in functions):")
    for line in _matrix_lines(
        apps,
        lambda s, t: (
            "."
            if s == t
            else f"{module_matrix[(s, t)]}/{function_matrix[(s, t)]}"
            if module_matrix[(s, t)] or function_matrix[(s, t)]
            else "-"
        ),
    ):
        print(line)
    name_matrix = Counter((graph.apps[ref.source], ref.target_app) for ref in graph.names)
    print("\nStrings naming another app (dotted paths, 'label.Model'):")
    for line in _matrix_lines(
        apps,
        lambda s, t: "." if s == t else str(name_matrix[(s, t)]) if name_matrix[(s, t)] else "-",
    ):
        print(line)
    edges = migrations.app_edges()
    mig_apps = sorted(migrations.project_apps)
    print("\nMigration dependencies between apps (number of dependency entries):")
    for line in _matrix_lines(
        mig_apps,
        lambda s, t: "." if s == t else str(len(edges.get((s, t), []))) if (s, t) in edges else "-",
        corner="depends \\ on",
    ):
        print(line)
    print(f"\nWhat the architecture check would say with `{base}` as the base:")
    for violation in found + migration_found:
        print(f"- {violation}")

    figures: dict[str, object] = {
        "bench": "imports",
        "modules": len(graph.modules),
        "modules_outside_migrations": len(code_modules),
        "lines_outside_migrations": dict(sorted(lines.items())),
        "module_level_cycles": [len(c) for c in module_level],
        "largest_module_level_cycle": largest,
        "function_level_cross_module_imports": len(deferred),
        "function_level_imports_hiding_a_cycle": len(hiding),
        "largest_runtime_cycle_size": len(largest_runtime),
        "largest_runtime_cycle": largest_runtime,
        "function_imports_inside_largest_runtime_cycle": len(held_by),
        "models_importing_views": len(models_importing_views(graph)),
        "app_imports_module_level": {f"{s}->{t}": n for (s, t), n in sorted(module_matrix.items())},
        "app_imports_function_level": {
            f"{s}->{t}": n for (s, t), n in sorted(function_matrix.items())
        },
        "app_names_in_strings": {f"{s}->{t}": n for (s, t), n in sorted(name_matrix.items())},
        "apps_importing_each_other": [
            v.detail for v in found if v.rule == "apps-import-each-other"
        ],
        "migration_app_edges": {f"{s}->{t}": len(v) for (s, t), v in sorted(edges.items())},
        "migration_apps_depending_on_each_other": [
            v.detail for v in migration_found if v.rule == "app-migrations-depend-on-each-other"
        ],
        "violations": len(found) + len(migration_found),
    }
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    report(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
