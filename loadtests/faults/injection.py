"""Breaking a server the fault runner started, and mending it: stop, freeze, kill a worker.

Only processes this run launched are touched: the embedded PostgreSQL and
Redis of the run's own home folder (never a configured server, never the
user's embedded ones) and the uvicorn the run served. A freeze is SIGSTOP:
the sockets stay open and nothing answers, which is what a hung host or a
stalled disk looks like from outside; PostgreSQL's postmaster is stopped
before its backends (so it forks no fresh one) and continued after them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from loadtests.faults.scenarios import FaultScenario
from portal.devstack import EmbeddedPostgres, EmbeddedRedis

WORKER_MARK = b"multiprocessing.spawn"  # uvicorn's workers are spawned children
RESTART_WAIT_S = 30.0


def children(pid: int) -> list[int]:
    """Direct children of ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: ppid follows the last ')'.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def worker_pids(uvicorn_pid: int) -> list[int]:
    """The uvicorn supervisor's worker processes (not multiprocessing's resource tracker)."""
    workers = []
    for pid in children(uvicorn_pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if WORKER_MARK in command and b"resource_tracker" not in command:
            workers.append(pid)
    return workers


def _signal_all(pids: list[int], signum: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


@dataclass
class Injector:
    """The run's own servers and how to break each; ``begin`` then ``end`` per scenario."""

    postgres: EmbeddedPostgres
    redis: EmbeddedRedis
    uvicorn_pid: int
    frozen: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def begin(self, scenario: FaultScenario) -> None:
        if scenario.action == "kill-worker":
            workers = worker_pids(self.uvicorn_pid)
            if not workers:
                raise RuntimeError("the portal has no worker process to kill")
            os.kill(workers[0], signal.SIGKILL)
            self.notes.append(f"killed worker pid {workers[0]} of {len(workers)}")
        elif scenario.action == "stop":
            self._server(scenario).stop()
        else:
            self.frozen = self._processes(scenario)
            _signal_all(self.frozen, signal.SIGSTOP)
            self.notes.append(f"froze {len(self.frozen)} process(es)")

    def end(self, scenario: FaultScenario) -> None:
        """Undo the fault; returns once the server is back (a killed worker mends itself)."""
        if scenario.action == "stop":
            self._server(scenario).start_again()
        elif scenario.action == "freeze":
            _signal_all(list(reversed(self.frozen)), signal.SIGCONT)
            self.frozen = []

    def release(self) -> None:
        """Never leave a process stopped, whatever went wrong."""
        if self.frozen:
            _signal_all(list(reversed(self.frozen)), signal.SIGCONT)
            self.frozen = []

    def workers_alive(self) -> int:
        return len(worker_pids(self.uvicorn_pid))

    def wait_for_workers(self, count: int, timeout_s: float = RESTART_WAIT_S) -> bool:
        deadline = time.monotonic() + timeout_s
        while self.workers_alive() < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def _server(self, scenario: FaultScenario) -> EmbeddedPostgres | EmbeddedRedis:
        return self.postgres if scenario.target == "postgres" else self.redis

    def _processes(self, scenario: FaultScenario) -> list[int]:
        """The server's main process first, then its children (PostgreSQL's backends)."""
        pid = self._server(scenario).pid()
        if pid is None:
            raise RuntimeError(f"the run's {scenario.target} is not running")
        return [pid, *children(pid)] if scenario.target == "postgres" else [pid]
