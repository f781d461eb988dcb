"""A real ``perfproof bench``, stopped with SIGTERM during its data, its benchmarks and its load
test: signalled by its PID alone (``kill PID``: only the bench hears it and must pass it on),
then by its process group (a CI runner cancelling a job: every process hears it at once).

Each moment is reached by waiting for the run's own output, never a fixed time. Every process
of the run is collected while it runs (its process tree, and the embedded PostgreSQL and Redis
it started, which live in sessions of their own); none may be left once the bench has exited
143, with a manifest that says it was interrupted, by which signal, and when it ended, and
with what it measured kept. One bench per moment and way of signalling, in one perfproof home
(one initdb): a signalled bench is over, so the two ways cannot share a run.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from portal.cli.exit_codes import Exit
from tests.processes import running

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Bench:
    """A ``perfproof bench`` in a session of its own, its output read as it comes."""

    process: subprocess.Popen[bytes]
    results: Path
    output: bytearray = field(default_factory=bytearray)
    seen: set[psutil.Process] = field(default_factory=set)
    reader: threading.Thread | None = None

    def read(self) -> None:
        """Its output as it comes, until every process writing to it has gone."""
        assert self.process.stdout is not None
        while chunk := os.read(self.process.stdout.fileno(), 65536):
            self.output += chunk

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        if self.reader is not None:
            self.reader.join(timeout=60)
        assert self.process.stdout is not None
        self.process.stdout.close()

    def text(self) -> str:
        return self.output.decode(errors="replace")

    def note_tree(self) -> None:
        try:
            root = psutil.Process(self.process.pid)
            self.seen |= {root, *root.children(recursive=True)}
        except psutil.Error:
            pass

    def wait_for(self, ready: Callable[[Bench], bool], timeout_s: float = 300) -> None:
        """Until ``ready``, noting the process tree meanwhile."""
        deadline = time.monotonic() + timeout_s
        while not ready(self):
            assert self.process.poll() is None, self.text()[-3000:]
            assert time.monotonic() < deadline, self.text()[-3000:]
            self.note_tree()
            time.sleep(0.05)
        self.note_tree()


def said(pattern: str) -> Callable[[Bench], bool]:
    return lambda bench: re.search(pattern, bench.text(), re.MULTILINE) is not None


def measuring(bench: Bench) -> bool:
    """The load child's Locust is in its measured window (its portal serves)."""
    return said(r"^\[1/\d+\] closed ")(bench) and any(
        bench.results.glob("*/load/*/load-*.json.measuring")
    )


# The moments, each with the bench that reaches it and the run's line that says so.
MOMENTS = {
    # small: its data takes seconds to load (tiny's takes 0.3 s); a new seed each time
    "data": (("--scale", "small", "--suite", "queries"), said(r"create tables: ")),
    # the child pytest has measured a benchmark (its progress dots come as they pass)
    "benchmarks": (("--suite", "queries"), said(r"^\.")),
    "load": (("--suite", "load"), measuring),
}
SEEDS = iter(range(21, 99))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("bench-stopping") / "home"
    yield folder
    stop = [sys.executable, "-m", "perfproof", "services", "--stop", "--home", str(folder)]
    subprocess.run(stop, env=environment(folder), capture_output=True, timeout=120)


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return {**env, "PERFPROOF_HOME": str(home), "PERFPROOF_PROGRESS": "always"}


def start(home: Path, results: Path, options: tuple[str, ...]) -> Bench:
    seed = str(next(SEEDS)) if options[:2] == ("--scale", "small") else "1"
    command = [sys.executable, "-m", "perfproof", "bench", "--profile", "quick",
               *options, "--seed", seed, "--results", str(results)]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment(home), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    bench = Bench(process, results)
    bench.reader = threading.Thread(target=bench.read, daemon=True)
    bench.reader.start()
    return bench


def servers_of(home: Path) -> set[psutil.Process]:
    """The embedded PostgreSQL and Redis running for ``home`` (by their pid files)."""
    found = set()
    for pid_file in (home / "pgdata" / "postmaster.pid", home / "redis.pid"):
        try:
            found.add(psutil.Process(int(pid_file.read_text().split()[0])))
        except (OSError, ValueError, IndexError, psutil.Error):
            continue
    return found


def manifest(folder: Path) -> dict[str, object]:
    document: dict[str, object] = json.loads((folder / "manifest.json").read_text())
    return document


def check_kept(moment: str, run: Path) -> None:
    """What the bench measured before the signal is in its folder, marked unfinished."""
    steps = manifest(run)["steps"]
    assert isinstance(steps, list)
    if moment == "data":
        assert steps == []  # no step had begun: the data come first
        return
    assert steps[0]["interrupted"] is True
    if moment == "benchmarks":
        measured = json.loads((run / "benchmarks-tiny.json").read_text())["benchmarks"]
        assert measured, "pytest wrote the benchmarks it had measured"
        assert (run / "tidy.csv").read_text().count("\n") > 1
    else:
        (load,) = (run / "load").iterdir()
        child = manifest(load)
        assert (child["finished"], child["interrupted"], child["signal"]) == (
            False, True, "SIGTERM",
        )  # fmt: skip


@pytest.mark.slow
@pytest.mark.embedded
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_sigterm_by_pid_and_by_group_leaves_nothing_and_says_so(
    moment: str, home: Path, tmp_path: Path
) -> None:
    options, reached = MOMENTS[moment]
    for how in ("pid", "group"):
        results = tmp_path / how
        bench = start(home, results, options)
        try:
            bench.wait_for(reached)
            servers = servers_of(home)
            assert len(servers) == 2, bench.text()[-2000:]
            if how == "pid":
                bench.process.send_signal(signal.SIGTERM)
            else:
                os.killpg(bench.process.pid, signal.SIGTERM)
            bench.process.wait(timeout=300)
        finally:
            bench.close()
        text = bench.text()
        assert bench.process.returncode == Exit.TERMINATED, (how, text[-3000:])
        assert "Traceback" not in text, (how, text[-3000:])
        assert "interrupted by SIGTERM: partial results in" in text, (how, text[-3000:])
        left = [p for p in {*bench.seen, *servers} if running(p)]
        assert left == [], (how, left)
        assert list((home / "servers").glob("*.json")) == []  # no owner record: all stopped
        (run,) = results.iterdir()
        top = manifest(run)
        assert (top["finished"], top["interrupted"], top["signal"]) == (False, True, "SIGTERM")
        assert top["ended_at"]
        check_kept(moment, run)
