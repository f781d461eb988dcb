"""What a documented command imports, the documented install installs.

``pip install .`` gives the runtime dependencies only (the test extras hid a
missing one before: ``benchmarks.http_throughput`` needed httpx). So every
third-party module that ``portal/`` and ``benchmarks/`` import must come from
a distribution listed in ``[project] dependencies``, and the wheel must hold
every package it lists.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SHIPPED = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
FIRST_PARTY = {"perfproof", "portal", "benchmarks", "loadtests", "reports", "tests"}


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(requirements: list[str]) -> set[str]:
    return {normalised(re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0]) for r in requirements}


def imports_of(path: Path) -> set[str]:
    """The third-party top-level modules one file imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found - FIRST_PARTY - set(sys.stdlib_module_names)


def top_level_imports(package: str, *, skip: tuple[str, ...] = ()) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        if str(path.relative_to(ROOT)) not in skip:
            found |= imports_of(path)
    return found


def test_the_wheel_lists_exactly_the_packages_that_exist() -> None:
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()} - {"tests"}
    assert set(SHIPPED) == packages


# A package whose command needs an extra (and says so when it is missing).
EXTRA_OF = {"loadtests": "loadtest"}
# Locust files a target's run hands to Locust (``-f``): only Locust loads them, so they
# run where the [loadtest] extra is installed, and no command imports them.
LOCUST_FILES = ("perfproof/targets/mix_locustfile.py", "perfproof/targets/recording_locustfile.py")


def test_every_third_party_import_of_a_shipped_package_is_a_declared_dependency() -> None:
    runtime = declared(PYPROJECT["project"]["dependencies"])
    extras = PYPROJECT["project"]["optional-dependencies"]
    providers = metadata.packages_distributions()
    missing = set()
    for package in SHIPPED:
        allowed = runtime | declared(extras.get(EXTRA_OF.get(package, ""), []))
        for module in top_level_imports(package, skip=LOCUST_FILES):
            found = {normalised(d) for d in providers.get(module, [module])}
            if not found & allowed:
                missing.add(f"{package}: {module} (from {', '.join(sorted(found))})")
    assert missing == set()
    loadtest = runtime | declared(extras["loadtest"])
    for path in LOCUST_FILES:
        for module in imports_of(ROOT / path):
            found = {normalised(d) for d in providers.get(module, [module])}
            assert found & loadtest, f"{path}: {module} is in neither [loadtest] nor runtime"


def test_the_console_script_is_perfproof() -> None:
    assert PYPROJECT["project"]["scripts"] == {"perfproof": "perfproof.cli:main"}
