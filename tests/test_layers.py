"""The tree's layers, read from the imports themselves.

* No cycles between the parts of ``portal/`` (each subpackage and each
  top-level module is one part): a cycle means two parts cannot be understood,
  tested or replaced one without the other.
* The portal's request path never imports its development kit (data
  generator, service manager, command line): what the benchmarks measure is
  the portal, not the tooling around it.
* ``portal/`` never imports the harness (``benchmarks``, ``loadtests``,
  ``reports``): the system under test does not know it is being measured.
* The five top-level packages are layers, top to bottom ``perfproof`` →
  ``reports`` → ``loadtests`` → ``benchmarks`` → ``portal``: each imports only
  the ones below it, so each can be read, tested and changed without those
  above, and nothing imports the tool on top (asv's ``commands/``, Locust's
  ``main.py``).

Every import counts, also those inside functions and under ``TYPE_CHECKING``,
and so does a module named by string where one is started or loaded:
``[python, "-m", "NAME"]``, ``import_module("NAME")``, ``run_module("NAME")``,
``find_spec("NAME")`` and a command table's ``Command(name, "NAME", ...)``.
``python tests/test_layers.py`` prints the graph between the packages.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PORTAL = ROOT / "portal"
# The development kit: what runs the portal for people and harnesses, never inside it.
KIT = {
    "portal.datagen",
    "portal.devstack",
    "portal.cli",
    "portal.__main__",
    "portal.home",  # where the kit keeps servers and tokens files
    "portal.files",  # atomic result and tokens files
    "portal.stop_signals",  # how a command stops on SIGINT, SIGTERM, SIGHUP
}
HARNESS = ("benchmarks", "loadtests", "reports")
LAYERS = ("perfproof", "reports", "loadtests", "benchmarks", "portal")  # top to bottom
LOADERS = {"import_module", "run_module", "find_spec"}  # the module is their first argument


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path = ROOT) -> Iterator[str]:
    """Absolute names of what ``path`` imports (relative imports resolved)."""
    package = module_name(path if path.name == "__init__.py" else path.parent, root)
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            # ``from portal import cache`` imports the subpackage portal.cache
            yield from (f"{base}.{alias.name}" for alias in node.names)


def named_modules(tree: ast.AST) -> Iterator[str]:
    """Modules named by string where they are run or loaded (see the module docstring)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple):
            for flag, name in zip(node.elts, node.elts[1:], strict=False):
                if _text(flag) == "-m" and (module := _text(name)) is not None:
                    yield module
        elif isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else None
            called = node.func.id if isinstance(node.func, ast.Name) else called
            position = 0 if called in LOADERS else 1 if called == "Command" else None
            given = position is not None and len(node.args) > position
            module = _text(node.args[position]) if given and position is not None else None
            if module is not None:
                yield module


def _text(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def part(module: str) -> str | None:
    """``portal.cache.service`` -> ``portal.cache``; None outside the portal."""
    pieces = module.split(".")
    if pieces[0] != "portal":
        return None
    return ".".join(pieces[:2]) if len(pieces) > 1 else None


def portal_files() -> list[Path]:
    return sorted(PORTAL.rglob("*.py"))


def existing_parts() -> set[str]:
    return {p for path in portal_files() if (p := part(module_name(path))) is not None}


def part_graph() -> dict[str, set[str]]:
    """Which part of the portal imports which other part."""
    parts = existing_parts()
    graph: dict[str, set[str]] = {name: set() for name in parts}
    for path in portal_files():
        source = part(module_name(path))
        if source is None:  # portal/__init__.py: the package's public names
            continue
        for target in map(part, imported_modules(path)):
            if target in parts and target != source:
                graph[source].add(target)
    return graph


def pop_component(stack: list[str], root: str) -> list[str]:
    """Pop ``stack`` down to ``root`` (included): one strongly connected component."""
    component = []
    while True:
        member = stack.pop()
        component.append(member)
        if member == root:
            return component


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = pop_component(stack, node)
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for successor in graph[todo.pop()]:
            if successor not in seen:
                seen.add(successor)
                todo.append(successor)
    return seen


def test_the_portal_has_no_import_cycles_between_its_parts() -> None:
    graph = part_graph()
    assert len(graph) > 10, "the walk found the portal's parts"
    assert cycles(graph) == []


@pytest.mark.parametrize(
    "start",
    ["portal.app", "portal.api", "portal.cache", "portal.monitoring", "portal.db", "portal.auth"],
)
def test_the_request_path_never_reaches_the_development_kit(start: str) -> None:
    assert reachable(part_graph(), start) & KIT == set()


def test_the_portal_never_imports_the_harness() -> None:
    offenders = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in portal_files()
        for name in imported_modules(path)
        if name.split(".")[0] in HARNESS
    }
    assert offenders == set()


def layer_edges(root: Path = ROOT) -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) -> where, for every edge between the layers."""
    edges: dict[tuple[str, str], list[str]] = {}
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            names = [*imported_modules(path, root), *named_modules(tree)]
            for name in names:
                target = name.split(".")[0]
                if target in LAYERS and target != layer:
                    edges.setdefault((layer, target), []).append(
                        f"{path.relative_to(root)} -> {name}"
                    )
    return edges


def test_each_package_imports_only_the_layers_below_it() -> None:
    upward = {
        where
        for (source, target), found in layer_edges().items()
        if LAYERS.index(target) < LAYERS.index(source)
        for where in found
    }
    assert upward == set()


def test_the_layer_check_sees_function_local_imports_and_module_names(tmp_path: Path) -> None:
    """A tree with every kind of upward reference: the check above can fail."""
    for layer in LAYERS:
        (tmp_path / layer).mkdir()
    (tmp_path / "portal" / "late.py").write_text(
        "def f():\n    from reports import claims\n    return claims\n"
    )
    (tmp_path / "benchmarks" / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import loadtests.runner\n"
    )
    (tmp_path / "loadtests" / "child.py").write_text(
        'import sys\nCOMMAND = [sys.executable, "-m", "perfproof", "bench"]\n'
    )
    (tmp_path / "reports" / "loaded.py").write_text(
        'import importlib\nimportlib.import_module("perfproof.cli")\n'
    )
    (tmp_path / "perfproof" / "table.py").write_text('ROWS = (Command("x", "portal.cli", "y"),)\n')
    edges = layer_edges(tmp_path)
    assert set(edges) == {
        ("portal", "reports"),
        ("benchmarks", "loadtests"),
        ("loadtests", "perfproof"),
        ("reports", "perfproof"),
        ("perfproof", "portal"),
    }


# The target path: what reads a team's target file and runs it. It must serve any service,
# so it never reaches the portal or its personas, suites, checks or data generator, not
# even through a module it imports (everything in ``benchmarks`` is the portal's suites).
TARGET_PATH = "perfproof.targets"
NOT_ON_THE_TARGET_PATH = ("portal", "benchmarks", "loadtests.personas", "loadtests.locustfile")


def module_file(module: str, root: Path = ROOT) -> Path | None:
    path = root / Path(*module.split("."))
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    return path.with_suffix(".py") if path.with_suffix(".py").is_file() else None


def reached_from(package: str, root: Path = ROOT) -> dict[str, str]:
    """Every module of the tree that the modules of ``package`` reach -> the one that named it."""
    start = [module_name(path, root) for path in sorted((root / Path(*package.split("."))).rglob(
        "*.py"))]  # fmt: skip
    named_by: dict[str, str] = {module: "" for module in start}
    todo = list(start)
    while todo:
        path = module_file(todo.pop(), root)
        if path is None:
            continue
        tree = ast.parse(path.read_text(), str(path))
        for name in [*imported_modules(path, root), *named_modules(tree)]:
            if name.split(".")[0] in LAYERS and name not in named_by:
                named_by[name] = module_name(path, root)
                todo.append(name)
    return named_by


def _chain(named_by: dict[str, str], module: str) -> str:
    chain = [module]
    while named_by.get(chain[-1]):
        chain.append(named_by[chain[-1]])
    return " <- ".join(chain)


def test_the_target_path_never_reaches_the_portal_or_its_suites() -> None:
    named_by = reached_from(TARGET_PATH)
    assert "perfproof.targets.cli" in named_by and "reports.statistic_rows" in named_by
    offenders = sorted(
        _chain(named_by, module)
        for module in named_by
        if module.startswith(NOT_ON_THE_TARGET_PATH) and module_file(module) is not None
    )
    assert offenders == []


def test_the_target_path_check_follows_imports_through_other_modules(tmp_path: Path) -> None:
    """A target module that reaches the portal only through a function-local import in a
    module it imports, and a ``-m`` string: both are found."""
    (tmp_path / "perfproof" / "targets").mkdir(parents=True)
    (tmp_path / "perfproof" / "targets" / "run.py").write_text("import reports.helper\n")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "helper.py").write_text(
        "def f():\n    from benchmarks import cases\n    return cases\n"
        'ARGS = ["python", "-m", "portal.cli"]\n'
    )
    named_by = reached_from(TARGET_PATH, tmp_path)
    assert named_by["benchmarks.cases"] == named_by["portal.cli"] == "reports.helper"


def test_the_cycle_finder_finds_a_cycle() -> None:
    """Synthetic graph with a known answer: the check above can fail."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


if __name__ == "__main__":  # the graph between the packages, for a reader or a closing note
    for (source, target), found in sorted(layer_edges().items()):
        way = "down" if LAYERS.index(target) > LAYERS.index(source) else "UP"
        sys.stdout.write(f"{source:>10} -> {target:<10} {len(found):3}  {way}\n")
