"""The open model in paired units: every arm in short windows, in random order, many times.

Why: load figures are judged over independent units, and a handful of long
runs (the old design: two or three repetitions, a portal restarted per arm)
gives intervals too wide to decide anything. Here a unit is one measured
window per arm, the arms in an order drawn afresh for every unit (randomised
multiple interleaved trials, Abedi & Brecht 2017), so drift and neighbours'
noise fall on every arm alike, and units are added until each watched claim
is precise enough or the budget is spent (``loadtests/sequential.py`` says
when, and why the intervals stay honest).

How: one portal per index state, both served for the whole phase (indexes on
in the run's database, off in a copy of it, so no window waits on ``CREATE
INDEX`` or its checkpoint), each with the run-time cache switch
(``PORTAL_CACHE_SWITCH``: every worker confirms the mode before a window
opens). One Locust run offers the same rate throughout and follows the
control file (``loadtests/blocks.py``); one unmeasured pass over the arms
first pays the fresh processes' first seconds. Per window: switch, clear the cache
when it is on (every window starts from the same cold cache, as a freshly
started portal did), ``WARMUP_S`` unmeasured, ``WINDOW_S`` measured, then
the window's last requests are awaited before the next switch. PostgreSQL's
``pg_stat_statements`` and the portal's own counters (its ``/metrics``: statements, cache hits
and misses, the second witnesses) are read at the window's edges.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.results import ResultFolder
from benchmarks.servers import Served
from loadtests import load_data, loaded_state, server_counters
from loadtests.arm_run import ArmRun
from loadtests.arms import LoadArm
from loadtests.blocks import BLOCKS_ENV, Block, Phase, block_file, pause_file, write_block
from loadtests.capacity import follow_due
from loadtests.context import RunContext
from loadtests.cpu import CpuMeter
from loadtests.locust_process import running_locust
from loadtests.plan import Plan
from loadtests.progress import Progress
from loadtests.recorder import Recorder
from loadtests.stopping import Sequential, should_stop
from loadtests.unit_order import unit_order
from loadtests.unit_portals import Portal, checkpoint, statements, unit_portal
from loadtests.unit_timing import WARMUP_S, WINDOW_S
from loadtests.watch import Watched

ANSWER_TIMEOUT_S = 30.0  # a window whose requests are not all answered by then is a finding


@dataclass(frozen=True)
class Follow:
    """The rate follows the capacity (``loadtests/capacity.py``): before every ``every``-th
    unit, the slowest arm (``arm()``) runs closed on the units' portal of its indexes, and
    ``closed`` (given that portal, its database, the arm and the unit) runs it and answers
    the new rate."""

    every: int
    arm: Callable[[], LoadArm]  # the slowest arm now (another may become it on the median)
    closed: Callable[[Served, str, LoadArm, int], float]


def run_units(
    context: RunContext,
    runs: list[ArmRun],
    offered: float,
    watched: Sequence[Watched],
    arms: Sequence[LoadArm],
    *,
    first_unit: int = 0,
    follow: Follow | None = None,
) -> Sequential:
    """Paired units at ``offered`` tasks/s until the watched claims are precise or time is up.

    The units are numbered from ``first_unit`` (another rate's units came before them); the
    stopping rule looks at these units alone. With ``follow``, the rate moves to the one
    its closed runs answer, and the windows after carry it."""
    plan, database_url, data_path, folder = (
        context.plan, context.database_url, context.data_path, context.folder
    )  # fmt: skip
    state = Sequential(budget_s=plan.budget_s)
    folder.note(order_seed=plan.order_seed)
    admin = load_data.read(data_path).admins()[0].token
    control = folder.file("blocks.control").resolve()
    if context.loaded is not None:  # the index-less copy is made of the data as loaded
        loaded_state.put_back(database_url, context.loaded, "the open model's portals")
    with ExitStack() as stack_of_portals:
        portals = {
            indexes: stack_of_portals.enter_context(unit_portal(context, indexes))
            # "off" first: its copy of the database is made while no one is connected to it
            for indexes in sorted({arm.indexes for arm in arms})
        }
        checkpoint(database_url)  # index builds and the copy: their writes land now
        first = arms[0]
        write_block(control, Block("start", portals[first.indexes].served.url, "warmup"))
        with running_locust(
            portals[first.indexes].served.url, folder,
            "open-units" if first_unit == 0 else f"open-units-from-{first_unit}", users=1,
            seconds=plan.budget_s + 600, processes=1, env={
                load_data.DATA_ENV: str(data_path),
                "PERFPROOF_LOAD_MODEL": "open",
                "PERFPROOF_RATE": f"{offered:g}",
                "PERFPROOF_ARRIVALS": plan.arrivals,
                BLOCKS_ENV: str(control),
            },
        ) as locust:  # fmt: skip
            locust.wait_for("measuring", timeout_s=120)
            for arm in arms:  # one pass unmeasured: the portals' first seconds are cold
                where = Where(portals[arm.indexes], control, locust.out, locust.process.pid,
                              folder, admin, context.stack.redis_url, offered)  # fmt: skip
                _warm(plan, where, arm)
            state.started = time.monotonic()
            progress = Progress(watched, state)
            unit = first_unit
            started_at = len(runs)  # this rate's windows: runs[started_at:]
            while True:
                began = time.monotonic()  # the put-back is part of the unit's time
                if follow is not None and follow_due(unit, first_unit, follow.every):
                    capacity_pause = Pause(control, locust.out, unit, "capacity")
                    offered = _follow(context, list(portals.values()), follow, capacity_pause,
                                      admin, offered)  # fmt: skip
                _put_back(context, portals.values(), Pause(control, locust.out, unit))
                for arm in unit_order(arms, plan.order_seed, unit):
                    where = Where(portals[arm.indexes], control, locust.out,
                                  locust.process.pid, folder, admin,
                                  context.stack.redis_url, offered)  # fmt: skip
                    runs.append(_window(plan, where, arm, unit, offered))
                    folder.add("runs", _entry(runs[-1]))
                state.unit_s.append(time.monotonic() - began)
                progress.show(runs[started_at:])
                stop = should_stop(state, watched, runs[started_at:])
                progress.looked()
                if stop:
                    break
                unit += 1
            progress.done()
            write_block(control, Block("stop", portals[first.indexes].served.url, "stop"))
            locust.wait_exit()
        for portal in portals.values():
            if portal.statements is not None:
                portal.statements.close()
    return state


@dataclass(frozen=True)
class Pause:
    """Where a pause before unit ``unit`` is asked for and where Locust says it holds."""

    control: Path
    out: Path
    unit: int
    why: str = "pause"  # the pause's label is ``<why>-<unit>``: each pause a label of its own


def _follow(
    context: RunContext,
    portals: list[Portal],
    follow: Follow,
    pause: Pause,
    admin: str,
    offered: float,
) -> float:
    """The closed run the rate follows, on the units' portal of the slowest arm's indexes,
    with arrivals paused and the data as loaded; its cache as the arm has it (cleared when
    on, as a fresh portal's is). Answers the rate of the units after it: ``offered`` still
    when no portal of the units serves that arm's indexes."""
    arm = follow.arm()
    serving = [portal for portal in portals if portal.indexes == arm.indexes]
    if not serving:
        return offered
    _put_back(context, portals, pause)
    _switch(context.plan, serving[0], admin, arm)
    if arm.cache == "on":
        _post(serving[0].served.url, "/api/performance/cache/clear", admin, {})
    return follow.closed(serving[0].served, serving[0].database_url, arm, pause.unit)


def _put_back(context: RunContext, portals: Iterable[Portal], pause: Pause) -> None:
    """Every portal's database as loaded, with arrivals paused and nothing in flight.

    The unit's writes (checkouts, cart lines, top-ups) would otherwise grow the tables
    the next unit measures (``loadtests/loaded_state.py``). Unmeasured: the next
    window starts with its own warm-up.
    """
    if context.loaded is None:
        return
    served = list(portals)
    label = f"{pause.why}-{pause.unit}"
    write_block(pause.control, Block(label, served[0].served.url, "pause"))
    holds = pause_file(pause.out, label)
    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    while not holds.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"Locust did not pause within {ANSWER_TIMEOUT_S:g} s: requests still in flight"
            )
        time.sleep(0.005)
    holds.unlink()
    for portal in served:
        loaded_state.put_back(portal.database_url, context.loaded, f"unit {pause.unit + 1}")


@dataclass(frozen=True)
class Where:
    """What a window is run with: its portal, the control file, Locust, the run folder."""

    portal: Portal
    control: Path
    out: Path  # Locust's out file: the block files are written beside it
    generator_pid: int
    folder: ResultFolder
    admin: str  # an admin's token: the switch and the clear are admin-only
    redis_url: str  # Redis's own counters are read at the window's edges too
    rate: float  # tasks/s offered in the window (it follows the capacity: Follow)

    def block(self, label: str, phase: Phase) -> Block:
        return Block(label, self.portal.served.url, phase, self.rate)


def _window(plan: Plan, where: Where, arm: LoadArm, unit: int, offered: float) -> ArmRun:
    """One arm's window in one unit: switch, clear, warm up, measure, await its answers."""
    portal, control, admin = where.portal, where.control, where.admin
    label = f"{unit}-{arm.name}"
    url = portal.served.url
    write_block(control, where.block(label, "warmup"))
    _switch(plan, where.portal, where.admin, arm)
    if arm.cache == "on":
        _post(url, "/api/performance/cache/clear", admin, {})
    time.sleep(WARMUP_S)
    meter = CpuMeter(generator_pid=where.generator_pid, portal_pid=portal.served.process.pid)
    meter.start()
    before = statements(portal)
    counted = server_counters.portal_counters(url)
    keyspace = server_counters.redis_counters(where.redis_url)
    started = time.monotonic()
    write_block(control, where.block(label, "measured"))
    time.sleep(WINDOW_S)
    write_block(control, where.block(label, "tail"))
    seconds = time.monotonic() - started
    after = statements(portal)
    portal_counted = server_counters.portal_delta(counted, server_counters.portal_counters(url))
    keyspace_after = server_counters.redis_counters(where.redis_url)
    cpu = meter.stop()
    keep = where.folder.file(f"load-open-{arm.name}-{unit}.json")
    recorded = _answers(block_file(where.out, label), keep)
    calls = after - before if after is not None and before is not None else None
    return ArmRun(
        arm=arm,
        model="open",
        repetition=unit,
        offered_rps=offered,
        recorded={"warmup": Recorder(), "measured": recorded},
        servers={
            "pg_stat_statements_calls": calls,
            "database": {},
            "tables": {},
            "redis": {key: keyspace_after[key] - keyspace[key] for key in keyspace},
            "portal": portal_counted,
        },
        cpu=cpu,
        portal_statements=portal_counted.get("statements"),
        generator_processes=1,
        server_died=portal.served.process.poll() is not None,
        seconds=seconds,
    )


def _warm(plan: Plan, where: Where, arm: LoadArm) -> None:
    """A window of ``arm`` that is not measured: what a fresh process pays once, paid here.

    The first unit after the portals started was slower in every arm (a quick run's
    all-off: 11.4 ms against 4.7-5.4 in the six units after it): first statements,
    pool connections, the first full garbage collection. That is the process's
    start, not the arm, and it would sit in whichever unit came first.
    """
    write_block(where.control, where.block(f"warm-{arm.name}", "warmup"))
    _switch(plan, where.portal, where.admin, arm)
    time.sleep(WARMUP_S + WINDOW_S)


def _switch(plan: Plan, portal: Portal, admin: str, arm: LoadArm) -> None:
    """The arm's cache mode in every worker of its portal, confirmed (when it differs)."""
    if portal.mode != arm.cache:
        _post(portal.served.url, "/api/performance/cache/mode", admin,
              {"mode": arm.cache, "workers": plan.workers})  # fmt: skip
        portal.mode = arm.cache


def _answers(path: Path, keep: Path) -> Recorder:
    """The window's recording, once the locustfile has every answer (a RuntimeError if not).

    Kept as ``keep`` in the format of a whole run's recording (the report draws from it).
    """
    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"the requests of load window {path.name} were not all answered within "
                f"{ANSWER_TIMEOUT_S:g} s"
            )
        time.sleep(0.005)
    document = json.loads(path.read_text())
    keep.write_text(json.dumps({"warmup": Recorder().to_document(), "measured": document}))
    path.unlink()
    return Recorder.from_document(document)


def _entry(run: ArmRun) -> dict[str, Any]:
    from loadtests.manifest import run_entry

    return run_entry(run)


def _post(url: str, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{url}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            answer: dict[str, Any] = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:300]
        raise RuntimeError(f"the portal refused {path} ({error.code}): {detail}") from None
    return answer
