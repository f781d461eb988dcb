"""How each child of ``perfproof bench`` starts: its command line, from the run profile.

A setting crosses into a child once, on its command line, from the one
profile table (``perfproof/profiles.py``), as pyperf's manager builds its
workers' command lines. Each child handles stop signals itself and writes
what it measured into the run folder; its stderr goes to a log there.
"""

from __future__ import annotations

import argparse
import importlib.util
import signal
import subprocess
import sys
from pathlib import Path

from benchmarks.results import ResultFolder
from perfproof.bench.plan import CHECKS, CHECKS_FILE, FAULTS, LOAD, SUITE_FILES, Step
from perfproof.profiles import RunProfile
from portal.stop_signals import STOP_SIGNALS, child_environment

SUITES = Path(__file__).resolve().parents[2] / "benchmarks"  # the suites' pytest files


def start_step(
    args: argparse.Namespace, profile: RunProfile, step: Step, folder: ResultFolder, errors: Path
) -> subprocess.Popen[bytes]:
    """The step's child; each handles stop signals itself and writes what it measured."""
    if step.suites == (LOAD,):
        command = load_command(args, profile, step, folder.path.resolve() / LOAD)
    elif step.suites == (CHECKS,):
        command = checks_command(args, step, folder)
    elif step.suites == (FAULTS,):
        command = faults_command(args, profile, step, folder)
    else:
        command = [sys.executable, "-m", "benchmarks.suite"]
        command += suite_arguments(args, profile, step, folder)
    return _start_child(command, errors)


def load_tests_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("locust", "gevent"))


def load_command(
    args: argparse.Namespace, profile: RunProfile, step: Step, results: Path
) -> list[str]:
    """The load tests' command line into ``results``; ``--load-rate`` becomes their ``--rate``."""
    command = [
        sys.executable, "-m", "perfproof", "loadtest", "--profile", profile.load.name,
        "--scale", step.scale, "--seed", str(args.seed),
        "--results", str(results),
    ]  # fmt: skip
    if args.load_rate is not None:
        command += ["--rate", repr(args.load_rate)]
    if getattr(args, "load_budget", None) is not None:
        command += ["--load-budget", repr(args.load_budget)]
    if getattr(args, "capacity_every", None) is not None:
        command += ["--capacity-every", str(args.capacity_every)]
    load_rates = getattr(args, "load_rates", None) or profile.load_shares
    if load_rates and args.load_rate is None:  # a pinned rate is one rate
        command += ["--load-rates", ",".join(f"{share:g}" for share in load_rates)]
    if getattr(args, "claims", None) is not None:
        command += ["--claims", str(args.claims)]
    return command


def checks_command(args: argparse.Namespace, step: Step, folder: ResultFolder) -> list[str]:
    """``python -m benchmarks.checks`` writing ``checks.json``."""
    return [
        sys.executable, "-m", "benchmarks.checks", "--scale", step.scale,
        "--seed", str(args.seed), "--out", str(folder.file(CHECKS_FILE).resolve()),
    ]  # fmt: skip


def faults_command(
    args: argparse.Namespace, profile: RunProfile, step: Step, folder: ResultFolder
) -> list[str]:
    """``perfproof faults`` into ``<run folder>/faults/``."""
    windows = profile.fault_windows
    return [
        sys.executable, "-m", "perfproof", "faults", "--scenarios", ",".join(profile.faults),
        "--before", f"{windows.before_s:g}", "--fault", f"{windows.fault_s:g}",
        "--after", f"{windows.after_s:g}",
        "--scale", step.scale, "--seed", str(args.seed),
        "--results", str(folder.path.resolve() / FAULTS),
    ]  # fmt: skip


def suite_arguments(
    args: argparse.Namespace, profile: RunProfile, step: Step, folder: ResultFolder
) -> list[str]:
    """pytest's arguments for one step.

    A separate process: pytest's assertion rewriting and warning filters want
    a fresh interpreter, and a crash cannot take the manifest down with it.
    Paths are absolute: the child runs in the suites' folder, not the caller's.
    """
    benchmark_json = folder.file(f"{step.name}.json").resolve()
    arguments = [str(SUITES / SUITE_FILES[suite]) for suite in step.suites]
    arguments += [
        f"--scale={step.scale}",
        f"--seed={args.seed}",
        f"--rounds={profile.rounds.option()}",
        f"--benchmark-json={benchmark_json}",
        # The runner prints its own summary; pytest-benchmark's tables of
        # every group are one `pytest-benchmark compare FILE.json` away.
        "--benchmark-quiet",
        "-p",
        "no:cacheprovider",
        # Interrupted before the first benchmark, pytest-benchmark warns that
        # it saves nothing, and of a benchmark cut short before its first round
        # that it "was not used"; the runner says what happened, plainly.
        "-W",
        "ignore:Not saving anything:pytest_benchmark.logger.PytestBenchmarkWarning",
        "-W",
        "ignore:Benchmark fixture was not used:pytest_benchmark.logger.PytestBenchmarkWarning",
        "-q",
    ]
    if "endpoints" in step.suites:
        slow_log = folder.file(f"slow-statements-{step.scale}.log").resolve()
        arguments.append(f"--slow-log={slow_log}")
    if step.growth_only:
        arguments.append("--growth-only")
    return arguments


def _ignore_stop_signals() -> None:
    """In the child, before exec: stop signals ignored until it installs its own handling
    (``portal.cli.commands``, ``benchmarks.suite``: their first lines). One that lands
    meanwhile is no traceback from the middle of an import; the runner, which heard
    it too, passes it on again a few seconds later (``stop_child``)."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def _start_child(command: list[str], errors: Path) -> subprocess.Popen[bytes]:
    """``command`` in the checkout, its stderr (warnings, what an odd moment makes Python
    print) into ``errors``; it stops when the runner dies, even of SIGKILL (Linux)."""
    with errors.open("wb") as sink:
        return subprocess.Popen(
            command,
            cwd=SUITES.parent,
            stderr=sink,
            env=child_environment(),
            preexec_fn=_ignore_stop_signals,  # the runner starts no threads of its own
        )
