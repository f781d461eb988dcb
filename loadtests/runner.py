"""The arms of a ``perfproof loadtest`` run, interleaved: each arm's portal, Locust, evidence.

The closed model, each repetition and each arm (the order rotates every
repetition): the portal is served by uvicorn on the generated dataset in that
arm (start-up switches the indexes; a fresh process has a cleared cache and
zero counters) and Locust drives it headless (a warm-up, then the measured
window); its capacity sets the open model's rate. The open model runs in
paired units (``loadtests/paired_units.py``): short windows of every arm in
random order, repeated until the watched claims are precise enough or the
budget is spent. For the measured window only it records
our HDR histograms per route, the database's and Redis's counter deltas, the
portal's statement counter and the CPU of generator, portal, PostgreSQL and
Redis. The open model's offered rate is ``--rate``, else a share of the
slowest arm's closed-model capacity, the same for every arm.

Everything it started stops when it ends, also on Ctrl-C, SIGTERM, SIGHUP, a
crash or a dead server; every run that finished is kept and the manifest lists
the rest (``benchmarks/run_lifecycle.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from benchmarks.run_lifecycle import run_folder
from benchmarks.servers import Served, serving
from loadtests import load_data, loaded_state, server_counters
from loadtests.arm_run import ArmRun
from loadtests.arms import ARMS_BY_NAME, LoadArm, Model, rotated
from loadtests.capacity import (
    EXTRA_RUNS,
    Capacity,
    ClosedRun,
    change,
    counted,
    open_rate,
    recheck,
    slowest,
)
from loadtests.context import RunContext
from loadtests.cpu import CpuMeter
from loadtests.locust_process import running_locust
from loadtests.manifest import run_entry, settings_of
from loadtests.paired_units import Follow, run_units
from loadtests.plan import Plan
from loadtests.recorder import Recorder
from loadtests.run_files import write_tables
from loadtests.watch import Watched
from portal.cli.commands import stopped_exit_code
from portal.devstack import Services

START_TIMEOUT_S = 600.0  # start-up may build the indexes of a large dataset


def run_all(
    args: argparse.Namespace,
    plan: Plan,
    stack: Services,
    database_url: str,
    data_path: Path,
    rows: dict[str, int],
    watched: Sequence[Watched] = (),
) -> int:
    runs: list[ArmRun] = []  # every run that finished: kept however the whole ends
    try:
        with run_folder(
            args.results,
            f"load-{plan.profile.name}-{args.scale}",
            settings_of(args, plan, stack, database_url, rows, watched),
            tables=lambda folder: write_tables(folder, runs, args.scale, rows),
        ) as run:
            loaded = loaded_state.take(database_url)
            try:
                loaded_state.put_back(database_url, loaded, "the first run")  # vacuumed
                context = RunContext(plan, stack, database_url, data_path, run.folder, loaded)
                _run_models(context, runs, watched)
                loaded_state.put_back(database_url, loaded, "the end")
            finally:  # stopped or failed: the data is regenerated next time (mark_written)
                loaded_state.forget(database_url)
                run.folder.note(loaded_state=loaded.record())
    except KeyboardInterrupt as stop:  # the run folder says so, and where it is
        return stopped_exit_code(stop)
    print("\n" + "\n".join(run.tables or []))
    print(f"\nresults: {run.folder.path}")
    return 0


def _run_models(context: RunContext, runs: list[ArmRun], watched: Sequence[Watched]) -> None:
    plan, folder = context.plan, context.folder
    total = plan.repetitions * len(plan.arms)
    for model in plan.models:
        if model == "open":
            _run_open(context, runs, watched)
            continue
        for repetition in range(plan.repetitions):
            for arm in rotated(plan.arms, repetition):
                print(
                    f"[{len(runs) + 1}/{total}] {model} {arm.name} repetition {repetition + 1}"
                    f" with {plan.users} users",
                    flush=True,
                )
                result = _run_arm(context, arm, model, repetition, None)
                runs.append(result)
                folder.add("runs", run_entry(result))


def _run_open(context: RunContext, runs: list[ArmRun], watched: Sequence[Watched]) -> None:
    """Paired units at the verdicts' rate, then at every other share ``--load-rates`` asks for.

    Each rate has units of its own (numbered on from the last), its own budget and its own
    looks: a rate's intervals never borrow another rate's windows.
    """
    plan, folder = context.plan, context.folder
    if plan.rate is None:
        _measure_capacity(context, runs)
    rates = (
        [(None, plan.rate)]
        if plan.rate is not None
        else [(share, _open_rate(plan, runs, share)) for share in plan.shares]
    )
    arms = open_arms(plan, watched)
    phases: list[dict[str, object]] = []
    for number, (share, offered) in enumerate(rates):
        primary = number == 0
        if primary:  # given (--rate): `regress --against` offers both commits one rate
            folder.note(open_rate=offered, open_rate_given=plan.rate is not None)
        at = f" ({share:.0%} of capacity)" if share is not None and len(rates) > 1 else ""
        print(
            f"open model at {offered:g}/s{at}: paired units of "
            f"{', '.join(a.name for a in arms)} in random order, at most {plan.budget_s:g} s",
            flush=True,
        )
        first = 1 + max((r.repetition for r in runs if r.model == "open"), default=-1)
        windows = len(runs)
        follow = _follower(context, runs, arms, share, offered)
        state = run_units(context, runs, offered, watched, arms, first_unit=first, follow=follow)
        offered = _mean_offered(runs[windows:], offered)
        if primary:
            folder.note(sequential=state.record())
            if follow is not None:  # the rate the verdicts were judged at: the units' mean
                folder.note(open_rate=offered)
        if len(rates) > 1:
            phases.append({"share": share, "rate": offered, "first_unit": first,
                           "units": len(state.unit_s), "primary": primary,
                           "sequential": state.record()})  # fmt: skip
            folder.note(rate_phases=phases)
    if plan.rate is None:
        _recheck_capacity(context, runs)


def _follower(
    context: RunContext,
    runs: list[ArmRun],
    arms: Sequence[LoadArm],
    share: float | None,
    offered: float,
) -> Follow | None:
    """How the rate follows the capacity during the units (``loadtests/capacity.py``), or
    None: the rate was given, the profile does not follow, or the arm the rate rests on is
    served by none of the units' portals (its indexes are not among theirs)."""
    plan = context.plan
    capacity = _capacity(runs)
    if share is None or plan.rate is not None or plan.capacity_every == 0 or capacity is None:
        return None
    if ARMS_BY_NAME[capacity.arm].indexes not in {a.indexes for a in arms}:
        return None
    followed: list[dict[str, object]] = []
    rate = offered

    def closed(served: Served, database_url: str, arm: LoadArm, unit: int) -> float:
        nonlocal rate
        _closed_run(
            replace(context, database_url=database_url), runs, arm,
            f"[capacity before unit {unit + 1}] closed {arm.name} repetition {{repetition}} on "
            "the units' portal: the rate follows the median",
            served=served,
        )  # fmt: skip
        now = _capacity(runs)
        assert now is not None
        before, rate = rate, open_rate(now, share)
        followed.append({"before_unit": unit, "arm": now.arm, "capacity": round(now.per_s, 1),
                         "runs": now.runs, "rate_before": before, "rate": rate})  # fmt: skip
        context.folder.note(rate_followed=followed)
        print(
            f"capacity {now.per_s:.1f}/s ({now.arm}, median of {now.runs} closed runs): "
            f"the rate moves from {before:g} to {rate:g}/s",
            flush=True,
        )
        return rate

    def slowest_now() -> LoadArm:
        now = _capacity(runs)
        assert now is not None
        return ARMS_BY_NAME[now.arm]

    return Follow(every=plan.capacity_every, arm=slowest_now, closed=closed)


def _mean_offered(windows: Sequence[ArmRun], first: float) -> float:
    """The open windows' mean offered rate (each window counts once), ``first`` without any."""
    rates = [run.offered_rps for run in windows if run.model == "open" and run.offered_rps]
    return round(statistics.fmean(rates), 1) if rates else first


def open_arms(plan: Plan, watched: Sequence[Watched]) -> tuple[LoadArm, ...]:
    """The arms of the paired units: those a watched claim compares, else the plan's."""
    wanted = {arm for w in watched for arm in w.arms}
    chosen = tuple(arm for arm in plan.arms if arm.name in wanted)
    return chosen or plan.arms


def _closed(run: ArmRun) -> ClosedRun:
    cpu = run.cpu
    return ClosedRun(run.arm.name, run.facts().achieved_rps, cpu.get("steal", 0.0),
                     cpu.get("others", 0.0))  # fmt: skip


def _capacity(runs: Sequence[ArmRun]) -> Capacity | None:
    return slowest(counted([_closed(run) for run in runs if run.model == "closed"]))


def _measure_capacity(context: RunContext, runs: list[ArmRun]) -> None:
    """More closed runs of the slowest arm, until the open rate rests on the profile's
    ``capacity_runs`` undisturbed ones (``loadtests/capacity.py`` says why), at most
    ``EXTRA_RUNS`` more in place of disturbed ones. Should another arm become the slowest
    on the median, it is measured as often."""
    wanted = context.plan.profile.capacity_runs
    for run in runs:
        _say_if_disturbed(run)
    while (capacity := _capacity(runs)) is not None:
        arm = ARMS_BY_NAME[capacity.arm]
        closed = [_closed(r) for r in runs if r.model == "closed" and r.arm == arm]
        clean = sum(not r.disturbed for r in closed)
        if clean >= wanted or len(closed) >= wanted + EXTRA_RUNS:
            break
        _closed_run(
            context, runs, arm,
            f"[capacity {clean + 1}/{wanted}] closed {arm.name} repetition {{repetition}}: "
            "the open model's rate is a share of its median",
        )  # fmt: skip


def _closed_run(
    context: RunContext, runs: list[ArmRun], arm: LoadArm, said: str, served: Served | None = None
) -> ArmRun:
    """One more closed run of ``arm`` for the capacity: announced (``said`` with its
    ``{repetition}``, counted from 1), kept in ``runs`` and the manifest, and named if
    the machine's neighbours disturbed it. On a fresh portal, or on ``served`` (the paired
    units' own, its data already put back)."""
    repetition = _next_repetition(runs, arm)
    print(said.format(repetition=repetition + 1), flush=True)
    if served is None:
        result = _run_arm(context, arm, "closed", repetition, None)
    else:
        result = drive(context, served, arm, "closed", repetition, None)
    runs.append(result)
    context.folder.add("runs", run_entry(result))
    _say_if_disturbed(result)
    return result


def _say_if_disturbed(run: ArmRun) -> None:
    closed = _closed(run)
    if run.model == "closed" and closed.disturbed:
        print(
            f"  closed {run.arm.name} repetition {run.repetition + 1}: {closed.why()}: its "
            f"{closed.per_s:.0f}/s does not count toward the capacity",
            flush=True,
        )


def _recheck_capacity(context: RunContext, runs: list[ArmRun]) -> None:
    """The arm the rate rests on, in the closed model again after the units: did the machine
    hold still (``loadtests/capacity.py``)? The manifest's ``capacity_after`` names these
    runs, so the rate's capacity is read without them."""
    wanted = context.plan.profile.capacity_after_runs
    before = _capacity(runs)
    if wanted == 0 or before is None:
        return
    arm = ARMS_BY_NAME[before.arm]
    after: list[ArmRun] = []
    for number in range(wanted):
        after.append(_closed_run(
            context, runs, arm,
            f"[capacity after the units {number + 1}/{wanted}] closed {arm.name} repetition "
            "{repetition}: did the machine hold still?",
        ))  # fmt: skip
        # Named as each ends: a run stopped during the recheck keeps its rate's capacity.
        named = [r.repetition for r in after]
        context.folder.note(capacity_after={"arm": arm.name, "repetitions": named})
    again = recheck(before, counted([_closed(r) for r in after])[arm.name])
    assert again is not None
    moved_by = change(before, again) * 100
    print(
        f"capacity after the units: {again.per_s:.1f}/s, {moved_by:+.0f} % against the "
        f"{before.per_s:.1f}/s the rate was set from",
        flush=True,
    )


def _next_repetition(runs: Sequence[ArmRun], arm: LoadArm) -> int:
    return 1 + max((r.repetition for r in runs if r.model == "closed" and r.arm == arm), default=-1)


def _open_rate(plan: Plan, runs: list[ArmRun], share: float | None = None) -> float:
    """The open model's rate: a share of the slowest arm's closed-model capacity."""
    capacity = _capacity(runs)
    assert capacity is not None, "the open model without --rate follows the closed model"
    return open_rate(capacity, plan.profile.open_share if share is None else share)


def _run_arm(
    context: RunContext, arm: LoadArm, model: Model, repetition: int, offered: float | None
) -> ArmRun:
    plan, stack, database_url, folder = (
        context.plan, context.stack, context.database_url, context.folder
    )  # fmt: skip
    name = f"{model}-{arm.name}-{repetition}"
    portal_env = {
        **os.environ,
        **loaded_state.PORTAL_ENV,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_REDIS_URL": stack.redis_url,
        "PORTAL_CACHE": arm.cache,
        "PORTAL_INDEXES": arm.indexes,
    }
    log = folder.file(f"server-{name}.log")
    if context.loaded is not None:  # no portal serves yet: nothing is in flight
        loaded_state.put_back(database_url, context.loaded, f"{model} {arm.name} {repetition + 1}")
    with serving(
        portal_env, workers=plan.workers, log=log, start_timeout_s=START_TIMEOUT_S
    ) as served:
        return drive(context, served, arm, model, repetition, offered)


def drive(
    context: RunContext,
    served: Served,
    arm: LoadArm,
    model: str,
    repetition: int,
    offered: float | None,
    *,
    path: str | None = None,
) -> ArmRun:
    """Locust against ``served``: snapshots and CPU around the measured window only."""
    plan, stack, database_url, data_path, folder = (
        context.plan, context.stack, context.database_url, context.data_path, context.folder
    )  # fmt: skip
    name = f"{model}-{arm.name}-{repetition}"
    users = plan.processes if model == "open" else plan.users
    with running_locust(
        served.url, folder, name, users=users, seconds=plan.warmup_s + plan.duration_s,
        processes=plan.processes, env={
            load_data.DATA_ENV: str(data_path),
            "PERFPROOF_WARMUP_S": f"{plan.warmup_s:g}",
            "PERFPROOF_LOAD_MODEL": model,
            "PERFPROOF_RATE": f"{offered or 0:g}",
            "PERFPROOF_ARRIVALS": plan.arrivals,
            **({"PERFPROOF_PATH": path} if path else {}),
        },
    ) as locust:  # fmt: skip
        meter = CpuMeter(generator_pid=locust.process.pid, portal_pid=served.process.pid)
        locust.wait_for("measuring", timeout_s=plan.warmup_s + 120)
        before = server_counters.snapshot(database_url, stack.redis_url)
        portal_before = server_counters.portal_counters(served.url)
        meter.start()
        started = time.monotonic()
        processes = CpuMeter.generator_processes(locust.process.pid)
        locust.wait_for("stopped", timeout_s=plan.duration_s + 120)
        seconds = time.monotonic() - started
        cpu = meter.stop()
        time.sleep(server_counters.SETTLE_S)
        after = server_counters.snapshot(database_url, stack.redis_url)
        portal_after = server_counters.portal_counters(served.url)
        locust.wait_exit()
    document = json.loads(locust.out.read_text())
    portal = server_counters.portal_delta(portal_before, portal_after)
    return ArmRun(
        arm=arm,
        model=model,  # type: ignore[arg-type]  # "single" only in the cross-check
        repetition=repetition,
        offered_rps=offered,
        recorded={phase: Recorder.from_document(doc) for phase, doc in document.items()},
        servers={**server_counters.delta(before, after), "portal": portal},
        cpu=cpu,
        portal_statements=portal.get("statements"),
        generator_processes=processes,
        server_died=served.process.poll() is not None,
        seconds=seconds,
    )
