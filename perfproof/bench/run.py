"""The run of ``perfproof bench``: a run folder, each step in a child, the verdicts.

The folder's life (tables and manifest however the run ends, stop signals
ignored once it is closing) is the one run lifecycle's,
``benchmarks/run_lifecycle.py``.
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import sys
import time
from typing import Any

import psycopg

from benchmarks import host_cpu
from benchmarks.arms import ENDPOINT_ARMS, INDEX_ARM_LABEL, index_blocks
from benchmarks.results import ResultFolder
from benchmarks.run_lifecycle import run_folder
from perfproof.bench.children import load_tests_installed, start_step
from perfproof.bench.judging import books_broken, fault_books_broken, judged, report_unfinished
from perfproof.bench.outputs import absolute_goal, write_tables
from perfproof.bench.plan import CHECKS, CHECKS_FILE, FAULTS, LOAD, NEEDS_LOCUST, Step, main_scales
from perfproof.profiles import RunProfile
from portal.cli.commands import fail, stop_signal_in, stopped_exit_code
from portal.cli.exit_codes import Exit
from portal.datagen import database_for, load_dataset
from portal.devstack import Services, ServiceUnavailable, ensure_database
from portal.stop_signals import Stopped, held, signal_of, stop_child
from reports.claims import DEFAULT_CLAIMS, load_claims
from reports.regress.baselines import save_baseline

# A child that ran and found something (a scenario broke, the books are wrong): the run
# goes on, the report says what, and the books fail the run at its end.
CHILD_FOUND: dict[tuple[str, ...], int] = {
    (FAULTS,): Exit.CHECK_FAILED,
    (CHECKS,): Exit.CHECK_FAILED,
}
# Failures a user can cause or fix: a service that went away, a full disk.
_EXPECTED = (ServiceUnavailable, psycopg.Error, OSError)


def run_plan(
    args: argparse.Namespace, profile: RunProfile, steps: list[Step], stack: Services
) -> int:
    """A run folder, each step in a child, the tables and the summary.

    The folder's life (tables and manifest however the run ends, stop signals
    ignored once it is closing) is ``run_folder``'s; a stopped or failed run
    also gets its report, whose claims then say why they have no evidence.
    """
    label = "-".join([profile.name, *main_scales(steps)])
    label += "-scaling" if any(step.growth_only for step in steps) else ""
    try:
        with run_folder(
            args.results,
            label,
            settings(args, profile, steps, stack),
            tables=functools.partial(
                write_tables,
                steps=steps,
                goal=absolute_goal(load_claims(args.claims or DEFAULT_CLAIMS)),
            ),
            unfinished=functools.partial(report_unfinished, args),
        ) as run:
            code = run_steps(args, profile, steps, stack, run.folder)
            run.ended(ok=code == 0, pytest_exit_code=code)
    except KeyboardInterrupt as stop:  # the run folder says so, and where it is
        return stopped_exit_code(stop)
    except _EXPECTED as error:
        return fail(error)
    folder, lines = run.folder, run.tables or []
    if code != 0:
        print(f"benchmarks failed (pytest exit {code}); partial results in {folder.path}")
        judged(args, folder)
        return code
    print("\n" + "\n".join(lines))
    unmet = judged(args, folder)
    if unmet is None:
        return Exit.BAD_INPUT
    print(f"\nresults: {folder.path}")
    if args.save_baseline is not None:
        saved = save_baseline(folder.path, args.save_baseline, args.results)
        print(f"saved baseline {args.save_baseline}: {saved}")
    broken = books_broken(folder.path / CHECKS_FILE) + fault_books_broken(folder.path / FAULTS)
    if broken:
        print(f"\nmoney: the books are wrong (or the money check failed): {'; '.join(broken)}")
        return Exit.CHECK_FAILED
    return Exit.CHECK_FAILED if args.fail_on_unmet and unmet else 0


def settings(
    args: argparse.Namespace, profile: RunProfile, steps: list[Step], stack: Services
) -> dict[str, Any]:
    """What the manifest says about the run before it starts."""
    return {
        "profile": profile.name,
        "scales": main_scales(steps),
        "growth_scales": [step.scale for step in steps if step.growth_only],
        "seed": args.seed,
        "suites": sorted({suite for step in steps for suite in step.suites}),
        "arms": {
            "indexes": list(INDEX_ARM_LABEL),
            "index_blocks": [
                f"{state}-{block}" for state, block in index_blocks(profile.rounds.blocks)
            ],
            "endpoints": [arm.name for arm in ENDPOINT_ARMS],
        },
        "rounds": {
            "budget_s": profile.rounds.budget_s,
            "min_rounds_per_block": profile.rounds.min_rounds,
            "max_rounds_per_block": profile.rounds.max_rounds,
            "warmup_rounds_per_block": profile.rounds.warmup_rounds,
        },
        "postgres": stack.postgres_description,
        "redis": stack.redis_description,
        "dataset_rows": {},
        "steps": [],
    }


def run_steps(
    args: argparse.Namespace,
    profile: RunProfile,
    steps: list[Step],
    stack: Services,
    folder: ResultFolder,
) -> int:
    """Each step in turn; the first one that fails ends the run with its exit code."""
    for number, step in enumerate(steps, start=1):
        print(f"\n[{number}/{len(steps)}] {step.describe()}", flush=True)
        database_url = ensure_database(stack.database_url, database_for(step.scale))
        dataset = load_dataset(database_url, scale=step.scale, seed=args.seed, progress=True)
        if dataset.skipped:
            print(f"dataset {step.scale} (seed {args.seed}) already loaded: reusing it")
        folder.add_to("dataset_rows", step.scale, dataset.rows)
        started = time.monotonic()
        cpu = host_cpu.now()
        child: subprocess.Popen[bytes] | None = None
        # The child's stderr (warnings, and whatever an interrupt at an odd
        # moment makes Python print) is kept in the run folder, not the terminal.
        errors = folder.file(f"{step.name}.stderr.log")
        if step.suites[0] in NEEDS_LOCUST and not load_tests_installed():
            what = "load tests" if step.suites == (LOAD,) else "fault scenarios"
            print(f"{what} skipped: they need the [loadtest] extra (pip install '.[loadtest]')")
            folder.note(
                **{f"{step.suites[0]}_tests": "skipped: the [loadtest] extra is not installed"}
            )
            continue
        try:
            with held():  # a stop while the child starts: raised once it is known, to stop it
                child = start_step(args, profile, step, folder, errors)
            code = child.wait()
        except KeyboardInterrupt as stop:
            exit_code = stop_child(child, signal_of(stop)) if child is not None else None
            record_step(folder, step, started, cpu, exit_code, interrupted=True)
            raise
        if (signum := stop_signal_in(code)) is not None:
            # The child was stopped (by a signal sent to it alone, say): the run
            # was stopped all the same, and its folder must say so, not "a step failed".
            record_step(folder, step, started, cpu, code, interrupted=True)
            raise Stopped(signum)
        record_step(folder, step, started, cpu, code)
        said = errors.read_text(errors="replace").strip()
        if code != 0 and said:
            print("\n".join(said.splitlines()[-15:]), file=sys.stderr)
        slow = folder.path / f"slow-statements-{step.scale}.log"
        if "endpoints" in step.suites and slow.exists():
            with slow.open() as lines:
                count = sum(1 for _ in lines)
            print(f"{count} slow-statement warning(s) of the portal: {slow}")
        if code != 0 and CHILD_FOUND.get(step.suites) != code:
            return code
    return 0


def record_step(
    folder: ResultFolder,
    step: Step,
    started: float,
    cpu: host_cpu.CpuTimes,
    code: int | None,
    interrupted: bool = False,
) -> None:
    folder.add(
        "steps",
        {
            "name": step.name,
            "scale": step.scale,
            "suites": list(step.suites),
            "growth_only": step.growth_only,
            "seconds": round(time.monotonic() - started, 1),
            # the whole machine's CPU over the step: a busy host is named, not guessed
            "host_cpu": host_cpu.shares(cpu, host_cpu.now()),
            "pytest_exit_code": code,
            "interrupted": interrupted,
        },
    )
