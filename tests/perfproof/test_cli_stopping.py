"""Every ``perfproof`` command that starts a server or a process stops cleanly on SIGTERM.

Each row of the command table is run for real, with nothing configured, in a
perfproof home of this module's own, and signalled by its PID alone (as
``kill`` and a service manager do) at one moment every command reaches: it has
launched its embedded PostgreSQL, and waits for the Redis start lock, which
this test holds. It must exit 143 without a traceback, with that PostgreSQL
stopped and nothing it started left running (its process tree, collected while
it ran). ``regress --against`` starts its bench in a temporary worktree: the
signal must reach that bench, and the worktree and its environment must go.
The moments inside a real run (data, benchmarks, load tests) are in
``test_bench_stopping.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from perfproof.cli import COMMANDS
from portal.cli.exit_codes import Exit
from portal.devstack import free_port
from portal.devstack._common import file_lock
from tests.processes import running

ROOT = Path(__file__).resolve().parents[2]
PERFPROOF = [sys.executable, "-m", "perfproof"]


@dataclass(frozen=True)
class Stoppable:
    arguments: tuple[str, ...]  # after the command's name; {tmp} is a folder of the test's
    home: str = ""  # below the perfproof home: where the command keeps its own servers


# How each command is brought to the moment, by name. A new command must be added here
# (or to STARTS_NOTHING): test_every_command_is_stopped_here fails until it is.
STOPPABLE = {
    "bench": Stoppable(("--profile", "quick", "--suite", "queries", "--results", "{tmp}")),
    "serve": Stoppable(("--port", "{port}")),
    "services": Stoppable(()),
    "generate": Stoppable(("--scale", "tiny")),
    "token": Stoppable(("--role", "admin")),
    "indexes": Stoppable(("on",)),
    "cleanup": Stoppable(()),
    "index-proof": Stoppable(("--scale", "tiny")),
    "write-cost": Stoppable(("--scale", "tiny")),
    "loadtest": Stoppable(("--profile", "quick", "--scale", "tiny", "--results", "{tmp}")),
    "faults": Stoppable(("--scenarios", "redis-frozen", "--results", "{tmp}"), home="faults"),
    "checks": Stoppable(("--scale", "tiny", "--out", "{tmp}/checks.json")),
    "regress": Stoppable(
        ("--against", "HEAD", "--bench-args", "--profile quick --suite queries", "--out", "{tmp}")
    ),
    "http-throughput": Stoppable(("--scale", "tiny", "--results", "{tmp}")),
    "monitoring-cost": Stoppable(("--scale", "tiny",)),
}  # fmt: skip
# Read files and write (or print) others: no process, no server.
STARTS_NOTHING = {"report", "across", "target"}  # target: only `target check` so far


def test_every_command_is_stopped_here() -> None:
    names = {command.name for command in COMMANDS}
    assert names - STARTS_NOTHING == set(STOPPABLE), "a command without a row above"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One perfproof home for every row (initdb once); whatever a failure left runs is stopped."""
    folder = tmp_path_factory.mktemp("stopping") / "home"
    yield folder
    for where in (folder, folder / "faults"):
        subprocess.run([*PERFPROOF, "services", "--stop", "--home", str(where)],
                       env=environment(folder), capture_output=True, timeout=120)  # fmt: skip


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This source tree, committed in a repository of its own: ``regress --against HEAD``
    measures it in a worktree there, never in the repository of this checkout."""
    folder = tmp_path_factory.mktemp("checkout") / "perfproof"
    skip = shutil.ignore_patterns(".git", ".venv", ".nox", ".perfproof", "results", "*_cache",
                                  ".benchmarks", "__pycache__")  # fmt: skip
    shutil.copytree(ROOT, folder, ignore=skip)
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.test"]
    for arguments in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "tree"]):
        subprocess.run([*git, *arguments], check=True, capture_output=True, timeout=120)
    return folder


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return {**env, "PERFPROOF_HOME": str(home)}


def tree_of(pid: int) -> set[psutil.Process]:
    """``pid`` and its descendants now; psutil's Process knows its start time, so a pid
    reused later is not taken for one of them."""
    with contextlib.suppress(psutil.Error):
        root = psutil.Process(pid)
        return {root, *root.children(recursive=True)}
    return set()


def postgres_owners(servers: Path) -> set[int]:
    """The pids that launched the PostgreSQL servers recorded in ``servers`` (the owner
    records of portal/devstack/_owners.py)."""
    found = set()
    for record in servers.glob("postgres-*.json"):
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            found.add(int(json.loads(record.read_text())["owner"]["pid"]))
    return found


@pytest.mark.embedded
@pytest.mark.parametrize("name", sorted(STOPPABLE))
def test_sigterm_stops_the_command_its_children_and_its_servers(
    name: str, home: Path, checkout: Path, tmp_path: Path
) -> None:
    row = STOPPABLE[name]
    own_home = home / row.home if row.home else home
    env = environment(home)
    fake_wrk = tmp_path / "bin" / "wrk"  # the moment comes before any wrk run
    fake_wrk.parent.mkdir()
    fake_wrk.write_text("#!/bin/sh\nexit 1\n")
    fake_wrk.chmod(0o755)
    env["PATH"] = f"{fake_wrk.parent}:{env['PATH']}"
    env["TMPDIR"] = str(tmp_path / "tmp")  # regress's worktree and environment go there
    (tmp_path / "tmp").mkdir()
    arguments = [a.format(tmp=tmp_path, port=free_port()) for a in row.arguments]
    holding = contextlib.ExitStack()
    own_home.mkdir(parents=True, exist_ok=True)
    holding.enter_context(file_lock(own_home / "redis.lock"))  # its Redis start waits
    with holding, subprocess.Popen(
        [*PERFPROOF, name, *arguments], cwd=checkout if name == "regress" else ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    ) as command:  # fmt: skip
        try:
            seen = tree_of(command.pid)
            deadline = time.monotonic() + 180
            while not postgres_owners(home / "servers") & {p.pid for p in seen}:
                assert command.poll() is None, command.communicate()
                assert time.monotonic() < deadline, "it never started its PostgreSQL"
                time.sleep(0.05)
                seen |= tree_of(command.pid)
            seen |= tree_of(command.pid)
            pid_file = own_home / "pgdata" / "postmaster.pid"
            postgres = psutil.Process(int(pid_file.read_text().split()[0]))
            command.send_signal(signal.SIGTERM)  # its PID alone
            holding.close()  # a clean-up that stops that Redis may take its lock now
            out, err = command.communicate(timeout=180)
        finally:
            if command.poll() is None:
                os.killpg(command.pid, signal.SIGKILL)
    assert command.returncode == Exit.TERMINATED, out[-2000:] + err[-2000:]
    assert "Traceback" not in err, err[-3000:]
    assert "interrupted by SIGTERM" in out + err
    assert [p for p in {*seen, postgres} if running(p)] == []
    assert postgres_owners(home / "servers") == set()
    if name == "regress":  # its bench stopped first, then the worktree and environment went
        assert list((tmp_path / "tmp").iterdir()) == []
        listed = subprocess.run(["git", "-C", str(checkout), "worktree", "list"],
                                capture_output=True, text=True, check=True).stdout  # fmt: skip
        assert listed.count("\n") == 1, listed
