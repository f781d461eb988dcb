"""CPU of every process a load run involves, sampled from outside Locust with psutil.

On two cores the load generator, the portal, PostgreSQL and Redis share the
machine: a generator near one full core measures itself, not the portal
(Locust's own CPU warning samples every 10 s and stays silent in short runs).
Groups: ``generator`` (Locust and its worker processes), ``portal`` (uvicorn
and its workers), ``postgres`` and ``redis`` (found by process name); and
the machine's: ``others`` (every other process's CPU: the machine's busy
time less the four groups, so the runner's own reads at the window's edges
too, a few ms, and interrupt work no process was charged with) and ``steal`` (time the
hypervisor gave to another guest). A window slower than its neighbours with the same work per
request and ``others`` or ``steal`` up was slowed by the machine, not the
system measured.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import psutil

SATURATED = 0.90  # of one core, per generator process: it is measuring itself


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _named(names: Iterable[str]) -> list[psutil.Process]:
    wanted = tuple(names)
    found = []
    for process in psutil.process_iter(["name"]):
        name = process.info.get("name") or ""
        if name.startswith(wanted):
            found.append(process)
    return found


def _seconds(processes: Iterable[psutil.Process]) -> dict[int, float]:
    """CPU seconds per process, a group's roots with their exited children's included.

    PostgreSQL's backends and parallel workers come and go: a backend that
    exits before the window's end (the portal's pool closing, a parallel
    worker after one scan) would take its CPU with it, and a sum over the
    living then reported 0.04 cores for a database a 3 s sampler of the
    same run saw at 0.4-0.5. The postmaster (and uvicorn, and Locust) reaps
    its children, so its ``children_*`` times hold theirs: living processes
    plus each root's reaped children make a total whose change over the
    window is exact.
    """
    group = list(processes)
    pids = {process.pid for process in group}
    times = {}
    for process in group:
        try:
            cpu = process.cpu_times()
            seconds = float(cpu.user + cpu.system)
            if process.ppid() not in pids:
                seconds += float(cpu.children_user + cpu.children_system)
            times[process.pid] = seconds
        except psutil.Error:
            continue
    return times


def _machine() -> tuple[float, float]:
    """The machine's busy CPU seconds and those stolen by the hypervisor, all CPUs summed.

    Busy includes interrupt work: the loopback traffic's is mostly charged to the
    process it ran in, and leaving it out read the machine below our own groups. (The
    same shares as ``benchmarks/host_cpu.py``, which the target path may not import.)"""
    times = psutil.cpu_times()
    busy = sum(getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq"))
    return float(busy), float(getattr(times, "steal", 0.0))


class CpuMeter:
    """CPU seconds per group between ``start`` and ``stop``, as a share of one core."""

    def __init__(self, *, generator_pid: int, portal_pid: int | None) -> None:
        # portal_pid None: a service someone else runs, whose processes are not ours to read
        self._groups: dict[str, Callable[[], list[psutil.Process]]] = {
            "generator": lambda: _tree(generator_pid),
            "portal": lambda: _tree(portal_pid) if portal_pid is not None else [],
            "postgres": lambda: _named(["postgres"]),
            "redis": lambda: _named(["redis-server"]),
        }
        self._before: dict[str, dict[int, float]] = {}
        self._started = 0.0
        self._machine = _machine()

    def start(self) -> None:
        self._machine = _machine()
        self._started = time.monotonic()
        self._before = {group: _seconds(find()) for group, find in self._groups.items()}

    def stop(self) -> dict[str, float]:
        """Share of a core per group, and per portal process (``portal:<pid>``).

        uvicorn can hand all keep-alive connections to one worker: with several
        workers, a run where one did the work is suspect, and this shows it.
        """
        machine = _machine()
        wall = max(time.monotonic() - self._started, 1e-9)
        shares: dict[str, float] = {}
        ours = 0.0
        for group, find in self._groups.items():
            after = _seconds(find())
            before = self._before.get(group, {})
            # totals, not per process: a process that exited in the window took its
            # before-window CPU into its parent's children_* times, counted in ``after``
            total = max(0.0, sum(after.values()) - sum(before.values()))
            ours += total
            shares[group] = round(total / wall, 3)
            used = {pid: seconds - before.get(pid, 0.0) for pid, seconds in after.items()}
            if group == "portal" and len(used) > 1:
                for pid, seconds in used.items():
                    shares[f"portal:{pid}"] = round(seconds / wall, 3)
        processes, stolen = (now - then for now, then in zip(machine, self._machine, strict=True))
        shares["others"] = round(max(0.0, processes - ours) / wall, 3)
        shares["steal"] = round(max(0.0, stolen) / wall, 3)
        return shares

    @staticmethod
    def generator_processes(pid: int) -> int:
        return max(1, len(_tree(pid)))
