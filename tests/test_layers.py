"""The tree's layers, read from the imports themselves.

* No cycles between the parts of ``portal/`` (each subpackage and each
  top-level module is one part): a cycle means two parts cannot be understood,
  tested or replaced one without the other.
* The portal's request path never imports its development kit (data
  generator, service manager, command line): what the benchmarks measure is
  the portal, not the tooling around it.
* ``portal/`` never imports the harness (``benchmarks``, ``loadtests``,
  ``reports``): the system under test does not know it is being measured.

Every import counts, also those inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
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


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> Iterator[str]:
    """Absolute names of what ``path`` imports (relative imports resolved)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path.parent)
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


def test_the_portal_names_harness_modules_only_where_it_hands_over_to_them() -> None:
    """``python -m portal index-proof`` still works, by module name: the one exception."""
    naming = {
        str(path.relative_to(ROOT))
        for path in portal_files()
        if any(f'"{name}.' in path.read_text() for name in HARNESS)
    }
    assert naming <= {"portal/__main__.py"}


def test_the_cycle_finder_finds_a_cycle() -> None:
    """Synthetic graph with a known answer: the check above can fail."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
