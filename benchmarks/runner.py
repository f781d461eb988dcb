"""``perfproof bench`` (what ``nox -s bench`` runs): data, benchmarks, summary.

Steps: pick services (configured or embedded), make sure the dataset of
``--scale`` is loaded (progress bar; skipped when already there), run the
pytest-benchmark suites into a fresh result folder, print each query's
indexed vs unindexed medians and their ratio.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks.arms import INDEX_BLOCKS
from benchmarks.results import ResultFolder
from portal.cli.args import dataset_seed, output_folder
from portal.datagen import SCALES, load_dataset
from portal.devstack import Services, ServiceUnavailable, ensure_database, services

SUITES = Path(__file__).resolve().parent


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Generate (or reuse) a dataset and benchmark the portal's queries with the "
            "performance indexes on and off. Results go to RESULTS/<time>-<scale>/ with a "
            "manifest; a summary is printed at the end."
        ),
        epilog=(
            "Services: PORTAL_DATABASE_URL and PORTAL_REDIS_URL when set, else an embedded "
            "PostgreSQL and Redis in $PERFPROOF_HOME (default .perfproof/ in a checkout, else "
            "~/.perfproof), started if none "
            "runs there and stopped again at the end. Exit codes: 0 done, 2 bad option or "
            "unreachable service, 130 interrupted (the run folder says finished: false), else "
            "pytest's code. Examples: nox -s bench -- --scale medium; "
            "perfproof bench --scale tiny --seed 7"
        ),
    )
    sizes = ", ".join(f"{name} {scale.orders:,} orders" for name, scale in SCALES.items())
    parser.add_argument(
        "--scale",
        choices=list(SCALES),
        default="small",
        help=f"dataset size ({sizes}); default small",
    )
    parser.add_argument("--seed", type=dataset_seed, default=1, help="dataset seed (default 1)")
    parser.add_argument(
        "--results", type=output_folder, default="results", help="results root (default ./results)"
    )
    return parser


def summarise(benchmark_json: Path) -> list[str]:
    """One line per operation: indexed and unindexed median and the speed-up.

    An arm's median pools the raw rounds of all its blocks (the arms run
    interleaved, in blocks); without raw rounds, the median of block medians.
    """
    data = json.loads(benchmark_json.read_text())
    rounds: dict[str, dict[str, list[float]]] = {}
    for bench in data["benchmarks"]:
        info = bench["extra_info"]
        arm = rounds.setdefault(info["operation"], {}).setdefault(info["indexes"], [])
        arm.extend(bench["stats"].get("data") or [bench["stats"]["median"]])
    lines = [f"{'operation':<30} {'indexed':>12} {'unindexed':>12} {'speed-up':>9}"]
    for operation, arms in sorted(rounds.items()):
        if not (arms.get("on") and arms.get("off")):
            continue
        on, off = statistics.median(arms["on"]), statistics.median(arms["off"])
        lines.append(f"{operation:<30} {on * 1e3:>9.3f} ms {off * 1e3:>9.3f} ms {off / on:>8.1f}x")
    return lines


def _wait_after_interrupt(child: subprocess.Popen[bytes] | None) -> int | None:
    """The child's exit status once it has stopped (asked again, then killed, if it lingers).

    Ctrl-C in a terminal reaches the child too; it gets a few seconds to stop
    on its own (pytest then writes what it measured) before it is asked again.
    """
    if child is None:
        return None
    steps: tuple[Callable[[], None], ...] = (
        lambda: None,
        lambda: child.send_signal(signal.SIGINT),
        child.kill,
    )
    for step in steps:
        step()
        try:
            return child.wait(timeout=5)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            continue
    return child.wait()


def _start_suite(arguments: list[str]) -> subprocess.Popen[bytes]:
    """``python -m benchmarks.suite`` with Ctrl-C ignored until it has set up its own handling."""
    # A disposition of "ignore" survives exec; benchmarks.suite takes over at
    # its first line, so an interrupt during the child's start-up is neither
    # a traceback there nor lost here (the runner asks again).
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "benchmarks.suite", *arguments], cwd=SUITES.parent
        )
    finally:
        signal.signal(signal.SIGINT, previous)


def run(args: argparse.Namespace) -> int:
    try:
        with services() as stack:
            print(stack.describe(), flush=True)
            database_url = ensure_database(stack.database_url, f"perfproof_{args.scale}")
            dataset = load_dataset(database_url, scale=args.scale, seed=args.seed, progress=True)
            if dataset.skipped:
                print(f"dataset {args.scale} (seed {args.seed}) already loaded: reusing it")
            # Still inside services(): on Ctrl-C the child stops before the servers do.
            return _run_suites(args, stack, dataset.rows)
    except ServiceUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted before the benchmarks started")
        return 130


def _run_suites(args: argparse.Namespace, stack: Services, rows: dict[str, int]) -> int:
    """A run folder, the suites in a child pytest, the summary; 130 with the folder marked."""
    settings = {
        "scale": args.scale,
        "seed": args.seed,
        "arms": {"indexes": ["on", "off"]},
        "index_blocks": [f"{state}-{block}" for state, block in INDEX_BLOCKS],
        "postgres": stack.postgres_description,
        "redis": stack.redis_description,
        "dataset_rows": rows,
    }
    # From just before the run folder exists until the handler below is in
    # place, Ctrl-C is held, then raised there: an interrupt in between would
    # leave a folder that never says it was interrupted.
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: held.append(signum))
    try:
        folder = ResultFolder(args.results, args.scale, settings)
        pytest: subprocess.Popen[bytes] | None = None
        try:
            signal.signal(signal.SIGINT, previous)
            if held:
                raise KeyboardInterrupt
            queries_json = folder.file("queries.json")
            pytest = _start_suite(_suite_arguments(args, queries_json))
            code = pytest.wait()
        except KeyboardInterrupt:
            exit_code = _wait_after_interrupt(pytest)
            folder.finish(ok=False, interrupted=True, pytest_exit_code=exit_code)
            print(f"\ninterrupted: partial results in {folder.path} (manifest: finished false)")
            return 130
    finally:
        signal.signal(signal.SIGINT, previous)
    folder.finish(ok=code == 0, pytest_exit_code=code)
    if code != 0:
        print(f"benchmarks failed (pytest exit {code}); partial results in {folder.path}")
        return code
    print(f"\nIndexed vs unindexed at scale {args.scale} (medians, same run):")
    print("\n".join(summarise(queries_json)))
    print(f"\nresults: {folder.path}")
    return 0


def _suite_arguments(args: argparse.Namespace, queries_json: Path) -> list[str]:
    """pytest's arguments for the suites.

    A separate process: pytest's assertion rewriting and warning filters want
    a fresh interpreter, and a crash cannot take the manifest down with it.
    """
    return [
        str(SUITES / "test_queries.py"),
        f"--scale={args.scale}",
        f"--seed={args.seed}",
        # Absolute: the child runs in the suites' folder, not the caller's.
        f"--benchmark-json={queries_json.resolve()}",
        "--benchmark-group-by=group",
        "--benchmark-columns=min,median,max,rounds",
        "-p",
        "no:cacheprovider",
        # Interrupted before the first benchmark, pytest-benchmark warns that
        # it saves nothing; the runner says that itself, plainly.
        "-W",
        "ignore:Not saving anything:pytest_benchmark.logger.PytestBenchmarkWarning",
        "-q",
    ]
