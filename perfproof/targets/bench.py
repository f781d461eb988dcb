"""``perfproof bench --target FILE``: a team's service measured and its claims judged.

The portal's load design on the team's service (``docs/targets.md``):

1. **Closed model** in closed units, one window per arm each (the team's users as
   written, their own wait_time): each arm's capacity; the slowest sets
   the open model's rate (``loadtests/capacity.py``: the profile's share of it).
2. **Open model in paired units**: each unit one window per arm, the arms in
   an order drawn afresh per unit (randomised multiple interleaved trials),
   tasks started at the fixed rate and timed from their intended start; the
   service restarted per window for an arm without a switch, switched
   otherwise (``arm_state.py``). Units are added until every load claim's
   interval is as narrow as its precision target at one of the planned looks,
   or the budget is spent (``loadtests/stopping.py``: alpha spent per look, so
   the interval stays valid whatever the stopping).
3. **Checks**: each ``[[checks]]`` command against the service in its first
   arm, exit 0 = held, its output kept.
4. **Verdicts** (``judging.py``), ``verdicts.json``, ``verdicts.md``,
   ``report.html`` (``report.py``), every window's facts in ``windows.json``,
   and the manifest marked finished last.

What fails is one line naming the cause and exit 2 (a start command that
exits, a port race, a Locust file that does not import, an ``on_start`` that
raises, an arm's command that fails, evidence that cannot be read); Ctrl-C
and SIGTERM stop the service and Locust by their process groups. The run
folder keeps what was measured until then, its manifest saying unfinished.
"""

from __future__ import annotations

import signal
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from loadtests.arm_run import ArmRun
from loadtests.arms import NamedArm
from loadtests.capacity import open_rate, slowest
from loadtests.guard import run_problems
from loadtests.plan import shares_of
from loadtests.profiles import LOAD_PROFILES, LoadProfile
from loadtests.progress import Progress
from loadtests.stopping import Sequential, should_stop
from loadtests.unit_order import new_order_seed, unit_order
from loadtests.unit_timing import WARMUP_S, WINDOW_S, unit_seconds
from perfproof.targets.arm_state import ArmFailed, ServiceInArms
from perfproof.targets.benchmarks import Rounds, run_benchmarks
from perfproof.targets.commands import data_size, run_check
from perfproof.targets.evidence import EvidenceFailed, Witnesses
from perfproof.targets.judging import Judging, RatePhase, TargetVerdict, judge, watched_of
from perfproof.targets.mix import LOCUSTFILE as MIX_LOCUSTFILE
from perfproof.targets.mix import TARGET_ENV
from perfproof.targets.model import Target, TargetError
from perfproof.targets.plan import (
    NOTHING_STARTED,
    closed_units,
    plan_lines,
    secrets_of,
    waits_of,
)
from perfproof.targets.report import render, table_lines, window_facts
from perfproof.targets.run_folder import new_folder, write_json, write_text
from perfproof.targets.secrets import redact_text
from perfproof.targets.service import Running, ServiceFailed
from perfproof.targets.target_claims import TargetClaim, check_claims
from perfproof.targets.target_file import load_target
from perfproof.targets.window import Load, OpenUnavailable, WindowFailed, WindowResult, run_window

BAD_INPUT = 2
FAILURES = (ServiceFailed, ArmFailed, WindowFailed, EvidenceFailed)


@dataclass(frozen=True)
class TargetOptions:
    """What ``perfproof bench --target`` was asked for besides the file."""

    profile: str = "default"  # the load profile: quick or default
    fail_on_unmet: bool = False
    budget_s: float | None = None  # --load-budget: per offered rate; default the profile's
    shares: tuple[float, ...] = ()  # --load-rates: shares of the slowest arm's capacity
    rate: float | None = None  # --load-rate: the open model at this rate, not a share


@dataclass
class TargetRun:
    """What a run of a target gathered, for the verdicts and the report."""

    target: Target
    profile: str
    folder: Path
    hide: Callable[[str], str]
    claims: list[TargetClaim]
    runs: list[ArmRun] = field(default_factory=list)
    capacity: dict[str, float] = field(default_factory=dict)
    rate: float | None = None
    state: Sequential | None = None
    open_unavailable: str = ""
    checks: dict[str, tuple[int, str]] = field(default_factory=dict)
    data_size: str = ""
    starts: int = 0
    switches: int = 0
    rounds: Rounds = field(default_factory=dict)
    options: TargetOptions = field(default_factory=TargetOptions)
    phases: list[RatePhase] = field(default_factory=list)
    order_seed: int = field(default_factory=new_order_seed)  # loadtests/unit_order.py


def run_target(file: Path, results: Path, options: TargetOptions | None = None) -> int:
    """The whole run; its exit code (0 done, 1 a claim not met with ``fail_on_unmet``, 2 bad
    input or a service that cannot be measured)."""
    options = options or TargetOptions()
    profile, fail_on_unmet = options.profile, options.fail_on_unmet
    try:
        target = load_target(file)
        claims = check_claims(target)
    except TargetError as error:
        print(f"perfproof bench: error: {error}", file=sys.stderr)
        return BAD_INPUT
    refused = _refused_options(target, options)
    if refused:
        print(f"perfproof bench: error: {refused}", file=sys.stderr)
        return BAD_INPUT
    secrets = secrets_of(target)

    def hide(text: str) -> str:
        return redact_text(text, secrets)

    folder = new_folder(results, target.name, profile)
    run = TargetRun(target, profile, folder, hide, claims, options=options)
    manifest: dict[str, Any] = {
        "kind": "target", "target": target.name, "target_file": str(target.path.resolve()),
        "profile": profile, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "finished": False, "arms": [arm.name for arm in target.arms],
        "load_budget_s": _budget(options), "load_rates": list(options.shares) or None,
        "load_rate": options.rate, "order_seed": run.order_seed,
    }  # fmt: skip
    write_json(folder / "manifest.json", manifest)
    plan = [
        line for line in plan_lines(target, profile, claims, budget_s=options.budget_s,
                                    shares=options.shares, rate=options.rate)
        if line != NOTHING_STARTED
    ]  # fmt: skip
    write_text(folder / "plan.txt", "\n".join(plan) + "\n")
    print("\n".join(plan), flush=True)
    print(f"run folder: {folder}", flush=True)
    try:
        _measure(run, LOAD_PROFILES[profile])
    except FAILURES as error:
        said = hide(str(error))
        manifest["error"] = said
        write_json(folder / "manifest.json", manifest)
        _write_windows(run)
        print(f"perfproof bench: error: {said}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt as stop:
        # Ctrl-C, or the stop signal the command's handler raised as one (its signum).
        number = int(getattr(stop, "signum", signal.SIGINT))
        manifest.update(interrupted=True, signal=signal.Signals(number).name,
                        ended=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))  # fmt: skip
        write_json(folder / "manifest.json", manifest)
        _write_windows(run)
        raise
    alpha = run.state.alpha if run.state is not None and run.state.alpha else 0.05
    judged_at = _judged_at(run)
    verdicts = judge(claims, Judging(run.runs, alpha, profile, run.checks, run.open_unavailable,
                                     judged_at, run.rounds, _closed_at(run),
                                     run.phases))  # fmt: skip
    _write_outputs(run, verdicts, manifest)
    for line in table_lines(verdicts):
        print(line)
    print(f"\nreport: {folder / 'report.html'}")
    return 1 if fail_on_unmet and any(v.verdict == "not met" for v in verdicts) else 0


def _budget(options: TargetOptions) -> float:
    return options.budget_s or LOAD_PROFILES[options.profile].budget_s


def _refused_options(target: Target, options: TargetOptions) -> str:
    """Why these options cannot run this target ("" when they can), before anything starts."""
    if options.profile not in LOAD_PROFILES:
        return (f"--profile {options.profile}: a target runs at "
                f"{' or '.join(LOAD_PROFILES)}")  # fmt: skip
    unit = unit_seconds(len(target.arms))
    if _budget(options) < unit:
        return (f"--load-budget {_budget(options):g} s is less than one paired unit of the "
                f"target's {len(target.arms)} arms (about {unit:g} s)")  # fmt: skip
    return ""


def _measure(run: TargetRun, profile: LoadProfile) -> None:
    target = run.target
    arms = ServiceInArms(target, run.folder, hide=run.hide)
    load = _load(target, profile)
    witnesses: Witnesses | None = None
    try:
        # The first arm's commands may set the evidence up (the example's seed.py creates
        # pg_stat_statements): the sources are read after them, before any load.
        arms.enter(target.arms[0])
        witnesses = Witnesses(target.evidence, run.hide)
        run.data_size = data_size(target, witnesses, run.hide)
        throughput = _closed_units(run, profile, arms, witnesses, load)
        run.capacity = {name: statistics.median(rps) for name, rps in throughput.items()}
        capacity = slowest(throughput)
        assert capacity is not None
        options = run.options
        shares: tuple[float | None, ...] = (
            (None,) if options.rate is not None
            else shares_of(options.shares or None, profile.open_share)
        )  # fmt: skip
        for number, share in enumerate(shares):
            rate = options.rate if share is None else open_rate(capacity, share)
            assert rate is not None
            over = f", median of {capacity.runs} closed units" if capacity.runs > 1 else ""
            print("open model: " + (
                f"{rate:g} tasks/s (--load-rate)" if share is None else
                f"{rate:g} tasks/s ({share:.0%} of {capacity.arm}'s {capacity.per_s:.1f}/s{over})"
            ), flush=True)  # fmt: skip
            first = 1 + max((r.repetition for r in run.runs if r.model == "open"), default=-1)
            state = _paired_units(run, arms, witnesses, load, rate, first)
            if number == 0:
                run.rate, run.state = rate, state
            run.phases.append(RatePhase(share, rate, first, len(state.unit_s),
                                        state.alpha or 0.05, primary=number == 0))  # fmt: skip
            if run.open_unavailable:
                break
        if target.benchmarks:
            run.rounds = run_benchmarks(target, run.profile, arms, run.folder, _say)
        if target.checks:
            service = arms.enter(target.arms[0])
            for check in target.checks:
                run.checks[check.name] = run_check(run.target, run.folder, run.hide, check, service)
    finally:
        run.starts, run.switches = arms.starts, arms.switches
        arms.close()
        if witnesses is not None:
            witnesses.close()


def _closed_units(run: TargetRun, profile: LoadProfile, arms: ServiceInArms,
                  witnesses: Witnesses, load: Load) -> dict[str, list[float]]:  # fmt: skip
    """The closed model in paired units (the team's users as written, arms in an order drawn
    afresh per unit): each arm's throughput per unit, for its capacity and the closed claims."""
    target = run.target
    # Each arm's throughputs, and those of the windows the validity guard left unmarked (a
    # saturated generator measured itself, not the service): capacity rests on the latter,
    # or on all of them for an arm with none left.
    throughput: dict[str, list[float]] = {arm.name: [] for arm in target.arms}
    unmarked: dict[str, list[float]] = {arm.name: [] for arm in target.arms}
    units = closed_units(run.profile, run.claims)
    for unit in range(units):
        for arm in unit_order(target.arms, run.order_seed, unit, "closed"):
            service = arms.enter(arm)
            result = run_window(load, service.url,
                                run.folder / f"load-closed-{arm.name}-{unit}.json",
                                model="closed", warmup_s=profile.warmup_s,
                                window_s=profile.duration_s,
                                at_edges=_edges(witnesses, service))  # fmt: skip
            closed = _arm_run(arm.name, "closed", unit, None, result, service)
            run.runs.append(closed)
            rps, problems = closed.facts().achieved_rps, run_problems(closed.facts())
            throughput[arm.name].append(rps)
            if not problems:
                unmarked[arm.name].append(rps)
            print(f"closed {arm.name} (unit {unit + 1} of {units}): {rps:.1f} requests/s with "
                  f"{load.users} users" + (f"; marked: {problems[0]}" if problems else ""),
                  flush=True)  # fmt: skip
    return {arm: unmarked[arm] or values for arm, values in throughput.items()}


def _paired_units(run: TargetRun, arms: ServiceInArms, witnesses: Witnesses, load: Load,
                  rate: float, first: int) -> Sequential:  # fmt: skip
    """The open model at ``rate`` in paired units numbered from ``first``, until every open
    load claim is precise enough at a look or the budget is spent; the sequential record."""
    target = run.target
    watched = [
        w for claim in run.claims
        if (w := watched_of(claim, run.profile)) is not None and w.model == "open"
    ]  # fmt: skip
    state = Sequential(budget_s=_budget(run.options))
    progress = Progress(watched, state)
    unit = first
    while True:
        began = time.monotonic()
        for arm in unit_order(target.arms, run.order_seed, unit):
            service = arms.enter(arm)
            try:
                result = run_window(load, service.url,
                                    run.folder / f"load-open-{arm.name}-{unit}.json",
                                    model="open", warmup_s=WARMUP_S, window_s=WINDOW_S,
                                    rate=rate, seed=unit + 1,
                                    at_edges=_edges(witnesses, service))  # fmt: skip
            except OpenUnavailable as reason:
                run.open_unavailable = str(reason)
                print(f"open model: not available: {reason}", flush=True)
                return state
            run.runs.append(_arm_run(arm.name, "open", unit, rate, result, service))
        state.unit_s.append(time.monotonic() - began)
        opened = [r for r in run.runs if r.model == "open" and r.repetition >= first]
        if watched:
            progress.show(opened)
        stop = should_stop(state, watched, opened)
        if watched:
            progress.looked()
        if stop:
            break
        unit += 1
    progress.done()
    return state


def _say(line: str) -> None:
    print(line, flush=True)


def _load(target: Target, profile: LoadProfile) -> Load:
    users = target.load.users or profile.users
    if target.load.locustfile is not None:
        return Load(target.load.locustfile, {}, users, target.evidence.hit_header)
    return Load(MIX_LOCUSTFILE, {TARGET_ENV: str(target.path)}, users, target.evidence.hit_header)


def _edges(witnesses: Witnesses, service: Running) -> Callable[[int], Callable[[], dict[str, Any]]]:
    pid = service.process.pid if service.process is not None else None
    return lambda generator_pid: witnesses.opening(generator_pid, pid)


def _arm_run(arm: str, model: str, unit: int, rate: float | None, result: WindowResult,
             service: Running) -> ArmRun:  # fmt: skip
    edges = result.edges
    # The meter names the measured server "portal" (the reference portal's); here it is the
    # team's service, and windows.json and the report say so.
    cpu = {name.replace("portal", "service", 1): share
           for name, share in edges.get("cpu", {}).items()}  # fmt: skip
    return ArmRun(
        arm=NamedArm(arm),
        model="open" if model == "open" else "closed",
        repetition=unit,
        offered_rps=rate,
        recorded={"measured": result.recorded},
        servers={key: value for key, value in edges.items() if key != "cpu"},
        cpu=cpu,
        portal_statements=None,
        generator_processes=1,
        server_died=service.process is not None and service.process.poll() is not None,
        seconds=result.seconds,
    )


def _judged_at(run: TargetRun) -> str:
    parts = [run.data_size] if run.data_size else []
    if run.rate is not None:
        parts.append(f"{run.rate:g} tasks/s offered")
    return ", ".join(parts)


def _closed_at(run: TargetRun) -> str:
    users = run.target.load.users or LOAD_PROFILES[run.profile].users
    return ", ".join([*([run.data_size] if run.data_size else []),
                      f"{users} users, {waits_of(run.target)} (closed model)"])  # fmt: skip


def _write_windows(run: TargetRun) -> None:
    write_json(run.folder / "windows.json", window_facts(run))


def _write_outputs(run: TargetRun, verdicts: Sequence[TargetVerdict],
                   manifest: dict[str, Any]) -> None:  # fmt: skip
    _write_windows(run)
    document = {
        "target": run.target.name, "profile": run.profile,
        "sequential": run.state.record() if run.state else None,
        "capacity": run.capacity, "offered_rps": run.rate,
        "open_model": run.open_unavailable or "available",
        "rate_phases": [asdict(phase) for phase in run.phases],
        "verdicts": [v.document() for v in verdicts],
    }  # fmt: skip
    write_json(run.folder / "verdicts.json", document)
    write_text(run.folder / "verdicts.md", "\n".join(
        [f"# {run.target.name}: verdicts ({run.profile})", "", "```text",
         *table_lines(verdicts), "```", ""]))  # fmt: skip
    write_text(run.folder / "report.html", render(run, verdicts))
    manifest.update(finished=True, ended=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    files=sorted(str(p.relative_to(run.folder)) for p in run.folder.rglob("*")
                                 if p.is_file()))  # fmt: skip
    write_json(run.folder / "manifest.json", manifest)
