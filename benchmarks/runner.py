"""``perfproof bench`` (what ``nox -s bench`` runs): data, the benchmark suites, one run folder.

Steps: pick services (configured or embedded); for every data size of the
plan, make sure its dataset is loaded (progress bar; skipped when already
there) and run the suites on it in a child pytest; the load tests
(``loadtests/``) and the functional checks (``benchmarks/checks``) in child
processes at the first size; then write the tidy table, fit the growth laws
(``--scaling``), print the medians, judge every claim of the claims file and
write the report (``reports/``). What is measured and how much comes from
the profile (``benchmarks/profiles.py``).

Run folder (``RESULTS/<UTC time>-<profile>-<scales>/``): ``manifest.json``,
pytest-benchmark's JSON per step (every raw round; ``pytest-benchmark compare``
reads them), ``tidy.csv`` (one row per measured value), ``growth.json``,
``load/<run>/``, ``checks.json``, ``faults/<run>/``, ``slow-statements-<scale>.log``,
``summary.txt``, ``verdicts.json``, ``verdicts.md``, ``report.html``.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from benchmarks import host_cpu
from benchmarks.arms import ENDPOINT_ARMS, INDEX_ARM_LABEL, index_blocks
from benchmarks.growth import MIN_SIZES
from benchmarks.profiles import PROFILES, Profile
from benchmarks.results import ResultFolder
from benchmarks.run_lifecycle import run_folder
from benchmarks.run_lock import one_run_per_server
from benchmarks.scaling import analyse
from benchmarks.summary import endpoint_lines, growth_lines, query_lines
from benchmarks.tidy import observations, read_tidy, write_tidy
from portal.cli.args import dataset_seed, output_folder, positive_float
from portal.cli.commands import (
    EXIT_FAILED,
    EXIT_STOPPED_HELP,
    fail,
    stop_signal_in,
    stopped_exit_code,
)
from portal.datagen import SCALES, load_dataset
from portal.devstack import Services, ServiceUnavailable, ensure_database, services
from portal.files import write_json_atomically, write_text_atomically
from portal.stop_signals import (
    STOP_SIGNALS,
    Stopped,
    child_environment,
    held,
    signal_of,
    stop_child,
    stop_line,
)

SUITES = Path(__file__).resolve().parent
SUITE_FILES = {"queries": "test_queries.py", "endpoints": "test_endpoints.py"}
LOAD = "load"  # the Locust load tests (``loadtests/``), at the profile's first size
CHECKS = "checks"  # the functional checks (``benchmarks/checks``), at the same size
CHECKS_FILE = "checks.json"
FAULTS = "faults"  # ``perfproof faults``: the profile's scenarios, at the same size
SUITES_ALL = (*SUITE_FILES, LOAD, CHECKS, FAULTS)
CHILD_SUITES = (LOAD, CHECKS, FAULTS)  # each runs as a command of its own, not under pytest
NEEDS_LOCUST = (LOAD, FAULTS)
# A child that ran and found something (a scenario broke, the books are wrong): the run
# goes on, the report says what, and the books fail the run at its end.
EXIT_FOUND: dict[tuple[str, ...], int] = {(FAULTS,): 1, (CHECKS,): 1}
EXIT_UNMET = 1  # --fail-on-unmet and a claim not met
EXIT_FAILED_CHECK = 1  # the money check found the books wrong
# The load test profile each benchmark profile runs.
LOAD_PROFILE_OF = {"quick": "quick", "gate": "quick", "default": "default", "full": "default"}


def growth_series() -> set[str]:
    """The series the growth mode fits (imported late: the case table imports the portal)."""
    from benchmarks.query_cases import CASES

    return {case.series for case in CASES if case.growth}


@dataclass(frozen=True)
class Step:
    """One child pytest: some suites at one data size."""

    scale: str
    suites: tuple[str, ...]
    growth_only: bool = False

    @property
    def name(self) -> str:
        if self.suites[0] in CHILD_SUITES:
            return f"{self.suites[0]}-{self.scale}"
        return f"{'growth' if self.growth_only else 'benchmarks'}-{self.scale}"

    def describe(self) -> str:
        if self.growth_only:
            return f"growth queries at {self.scale}"
        if self.suites == (LOAD,):
            return f"load tests (Locust) at {self.scale}"
        if self.suites == (CHECKS,):
            return f"functional checks against the real portal at {self.scale}"
        if self.suites == (FAULTS,):
            return f"fault scenarios under load (Redis, PostgreSQL, a worker) at {self.scale}"
        return f"{' and '.join(self.suites)} at {self.scale}"


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Generate (or reuse) datasets and benchmark the portal: its hot queries and writes "
            "with the performance indexes on and off, its cached endpoints with the cache hit, "
            "missed and off, and (--scaling) how the queries grow with the data. Results go to "
            "RESULTS/<time>-<profile>-<scales>/ with a manifest and a tidy table; a summary is "
            "printed at the end."
        ),
        epilog=(
            "Profiles: "
            + "; ".join(f"{p.name}: {p.summary}" for p in PROFILES.values())
            + ". Services: PORTAL_DATABASE_URL and PORTAL_REDIS_URL when set, else an embedded "
            "PostgreSQL and Redis in $PERFPROOF_HOME (default .perfproof/ in a checkout, else "
            "~/.perfproof), started if none runs there and stopped again at the end. Exit "
            "codes: 0 done, 2 bad option or unreachable service, "
            f"{EXIT_STOPPED_HELP} (the run folder says finished: false, interrupted: true; "
            "what was measured is kept; the embedded servers it started are stopped), 1 a "
            "benchmark failed its check, the money check found the books wrong, or "
            "(--fail-on-unmet) a claim is not met. Examples: "
            "nox -s bench -- --profile quick; perfproof bench --scale medium; "
            "perfproof bench --scaling"
        ),
    )
    sizes = ", ".join(f"{name} {scale.orders:,} orders" for name, scale in SCALES.items())
    parser.add_argument(
        "--profile", choices=list(PROFILES), default="default", help="how much (default default)"
    )
    parser.add_argument(
        "--scale",
        choices=list(SCALES),
        default=None,
        help=f"run the suites at this size only ({sizes}); default: the profile's",
    )
    parser.add_argument(
        "--suite",
        action="append",
        choices=list(SUITES_ALL),
        dest="suites",
        help="only this suite (repeatable); default: all",
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="also fit how the growth queries scale, over the profile's sizes",
    )
    parser.add_argument(
        "--scaling-scales",
        type=_scales,
        default=None,
        metavar="A,B,...",
        help="the sizes the growth mode measures (default: the profile's; implies --scaling)",
    )
    parser.add_argument("--seed", type=dataset_seed, default=1, help="dataset seed (default 1)")
    parser.add_argument(
        "--results", type=output_folder, default="results", help="results root (default ./results)"
    )
    parser.add_argument(
        "--claims",
        type=_claims_file,
        default=None,
        metavar="FILE",
        help="judge this claims file (default: the write-up's, reports/claims.toml)",
    )
    parser.add_argument(
        "--fail-on-unmet",
        action="store_true",
        help="exit 1 when any claim is not met (default: verdicts are findings, exit 0)",
    )
    parser.add_argument(
        "--load-rate",
        type=positive_float,
        default=None,
        metavar="RPS",
        help=(
            "the load tests' open model at this offered rate (tasks/s) instead of a share of "
            "the slowest arm's measured capacity; `perfproof regress --against` passes the "
            "first run's rate to the later runs of each commit that has this option"
        ),
    )
    parser.add_argument(
        "--save-baseline",
        type=_baseline_name,
        default=None,
        metavar="NAME",
        help=(
            "when the run finishes, keep it as RESULTS/baselines/NAME for "
            "`perfproof regress --baseline NAME` (saving a name again replaces it)"
        ),
    )
    return parser


def _baseline_name(text: str) -> str:
    """Checked before anything is measured, like the claims file."""
    from reports.regress.baselines import NAME

    if not NAME.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r}: want letters, digits, '.', '_' or '-' (up to 100), "
            "starting with a letter or digit"
        )
    return text


def _claims_file(text: str) -> Path:
    """A claims file checked before anything is measured: a typo found after 10 minutes is cruel."""
    from reports.claims import ClaimsError, load_claims

    try:
        return load_claims(Path(text)).path
    except ClaimsError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _scales(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    unknown = [name for name in names if name not in SCALES]
    if unknown or len(names) < MIN_SIZES:
        raise argparse.ArgumentTypeError(
            f"want {MIN_SIZES} or more of {', '.join(SCALES)} separated by commas (a growth "
            f"law needs {MIN_SIZES} sizes), not {text!r}"
        )
    return names


def plan(args: argparse.Namespace, profile: Profile) -> list[Step]:
    """The steps of this run: every suite at each size, then the growth-only sizes."""
    scales = (args.scale,) if args.scale else profile.scales
    chosen = tuple(args.suites or SUITES_ALL)
    suites = tuple(suite for suite in chosen if suite in SUITE_FILES)
    steps = [Step(scale, suites) for scale in scales] if suites else []
    steps += [
        Step(scales[0], (suite,))
        for suite in CHILD_SUITES
        if suite in chosen and (suite != FAULTS or profile.faults)
    ]
    if args.scaling or args.scaling_scales or profile.scaling_always:
        growth_scales = args.scaling_scales or profile.scaling
        covered = scales if "queries" in suites else ()
        steps += [
            Step(s, ("queries",), growth_only=True) for s in growth_scales if s not in covered
        ]
    return sorted(steps, key=lambda step: list(SCALES).index(step.scale))


def run(args: argparse.Namespace) -> int:
    profile = PROFILES[args.profile]
    steps = plan(args, profile)
    try:
        with services() as stack:
            print(stack.describe(), flush=True)
            # Still inside services(): on a stop signal the child stops before the servers
            # do, and the servers stop after the run folder says what happened.
            with one_run_per_server(stack.database_url, say=_say_now):
                return _run_plan(args, profile, steps, stack)
    except ServiceUnavailable as error:
        return fail(error)
    except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, SIGHUP (portal/stop_signals.py)
        print(f"\n{stop_line(stop)} before the benchmarks started")
        return stopped_exit_code(stop)


def _say_now(line: str) -> None:
    print(line, flush=True)


# Failures a user can cause or fix: a service that went away, a full disk.
_EXPECTED = (ServiceUnavailable, psycopg.Error, OSError)


def _run_plan(
    args: argparse.Namespace, profile: Profile, steps: list[Step], stack: Services
) -> int:
    """A run folder, each step in a child, the tables and the summary.

    The folder's life (tables and manifest however the run ends, stop signals
    ignored once it is closing) is ``run_folder``'s; a stopped or failed run
    also gets its report, whose claims then say why they have no evidence.
    """
    label = "-".join([profile.name, *_main_scales(steps)])
    label += "-scaling" if any(step.growth_only for step in steps) else ""
    try:
        with run_folder(
            args.results,
            label,
            _settings(args, profile, steps, stack),
            tables=functools.partial(_write_tables, steps=steps),
            unfinished=functools.partial(_report_unfinished, args),
        ) as run:
            code = _run_steps(args, profile, steps, stack, run.folder)
            run.ended(ok=code == 0, pytest_exit_code=code)
    except KeyboardInterrupt as stop:  # the run folder says so, and where it is
        return stopped_exit_code(stop)
    except _EXPECTED as error:
        return fail(error)
    folder, lines = run.folder, run.tables or []
    if code != 0:
        print(f"benchmarks failed (pytest exit {code}); partial results in {folder.path}")
        _judged(args, folder)
        return code
    print("\n" + "\n".join(lines))
    unmet = _judged(args, folder)
    if unmet is None:
        return EXIT_FAILED
    print(f"\nresults: {folder.path}")
    if args.save_baseline is not None:
        from reports.regress.baselines import save_baseline

        saved = save_baseline(folder.path, args.save_baseline, args.results)
        print(f"saved baseline {args.save_baseline}: {saved}")
    broken = _books_broken(folder.path / CHECKS_FILE) + _fault_books_broken(folder.path / FAULTS)
    if broken:
        print(f"\nmoney: the books are wrong (or the money check failed): {'; '.join(broken)}")
        return EXIT_FAILED_CHECK
    return EXIT_UNMET if args.fail_on_unmet and unmet else 0


def _books_broken(checks_file: Path) -> list[str]:
    """The ``money`` check's problems when it failed: a run that broke the books fails,
    whatever the claims say (it is no claim: no shop may lose money)."""
    if not checks_file.exists():
        return []
    for check in json.loads(checks_file.read_text()).get("checks", []):
        if check.get("id") == "money" and not check.get("passed"):
            return [str(problem) for problem in check.get("problems", [])] or ["it failed"]
    return []


def _fault_books_broken(faults_folder: Path) -> list[str]:
    """Books a fault scenario left wrong (``perfproof faults``): fail a run like money does."""
    broken = []
    for found in sorted(faults_folder.glob("*/faults.json")):
        for entry in json.loads(found.read_text()).get("scenarios", []):
            for rule, ids in entry.get("book_violations", {}).items():
                if ids:
                    broken.append(f"after {entry['scenario']}: {rule} broken for {ids}")
    return broken


def _report(args: argparse.Namespace, folder: ResultFolder, *, quiet: bool = False) -> bool:
    """Verdicts and report.html for the run as it stands; whether any claim is not met.

    Also for a failed or interrupted run: its claims then say "no evidence:
    the run did not finish", which is what a reader of that folder must see.
    """
    from reports.claims import DEFAULT_CLAIMS
    from reports.cli import write_report

    started = time.monotonic()
    for name in ("verdicts.json", "verdicts.md", "report.html"):
        folder.file(name)
    lines, unmet = write_report(folder.path, args.claims or DEFAULT_CLAIMS)
    folder.note(report_seconds=round(time.monotonic() - started, 1))
    if quiet:
        print(lines[-1])  # the report's path
    else:
        claims = args.claims or DEFAULT_CLAIMS
        print(f"\nVerdicts (95 % intervals; claims: {claims.name}):")
        print("\n".join(lines))
    return unmet


def _judged(args: argparse.Namespace, folder: ResultFolder) -> bool | None:
    """:func:`_report`, or None when the report refused the run's data (one line on stderr).

    Data no measurement could give (``reports/run_schema``) is a perfproof bug or a
    broken disk, never something to judge.
    """
    from reports.run_folder import RunFolderError

    try:
        return _report(args, folder)
    except RunFolderError as refused:
        print(f"error: the report refused this run's data: {refused}", file=sys.stderr)
        return None


def _report_unfinished(args: argparse.Namespace, folder: ResultFolder) -> None:
    """The report of a run that did not finish: every claim "no evidence", and why."""
    try:
        _report(args, folder, quiet=True)
    except Exception as error:  # the run's data matters more than its report here
        print(f"(no report: {type(error).__name__}: {error})", file=sys.stderr)


def _main_scales(steps: list[Step]) -> list[str]:
    return sorted({s.scale for s in steps if not s.growth_only}, key=list(SCALES).index)


def _settings(
    args: argparse.Namespace, profile: Profile, steps: list[Step], stack: Services
) -> dict[str, Any]:
    """What the manifest says about the run before it starts."""
    return {
        "profile": profile.name,
        "scales": _main_scales(steps),
        "growth_scales": [step.scale for step in steps if step.growth_only],
        "seed": args.seed,
        "suites": sorted({suite for step in steps for suite in step.suites}),
        "arms": {
            "indexes": list(INDEX_ARM_LABEL),
            "index_blocks": [f"{state}-{block}" for state, block in index_blocks(profile.blocks)],
            "endpoints": [arm.name for arm in ENDPOINT_ARMS],
        },
        "rounds": {
            "budget_s": profile.budget_s,
            "min_rounds_per_block": profile.min_rounds,
            "max_rounds_per_block": profile.max_rounds,
            "warmup_rounds_per_block": profile.warmup_rounds,
        },
        "postgres": stack.postgres_description,
        "redis": stack.redis_description,
        "dataset_rows": {},
        "steps": [],
    }


def _run_steps(
    args: argparse.Namespace,
    profile: Profile,
    steps: list[Step],
    stack: Services,
    folder: ResultFolder,
) -> int:
    """Each step in turn; the first one that fails ends the run with its exit code."""
    for number, step in enumerate(steps, start=1):
        print(f"\n[{number}/{len(steps)}] {step.describe()}", flush=True)
        database_url = ensure_database(stack.database_url, f"perfproof_{step.scale}")
        dataset = load_dataset(database_url, scale=step.scale, seed=args.seed, progress=True)
        if dataset.skipped:
            print(f"dataset {step.scale} (seed {args.seed}) already loaded: reusing it")
        folder.manifest["dataset_rows"][step.scale] = dataset.rows
        started = time.monotonic()
        cpu = host_cpu.now()
        child: subprocess.Popen[bytes] | None = None
        # The child's stderr (warnings, and whatever an interrupt at an odd
        # moment makes Python print) is kept in the run folder, not the terminal.
        errors = folder.file(f"{step.name}.stderr.log")
        if step.suites[0] in NEEDS_LOCUST and not _load_tests_installed():
            what = "load tests" if step.suites == (LOAD,) else "fault scenarios"
            print(f"{what} skipped: they need the [loadtest] extra (pip install '.[loadtest]')")
            folder.note(
                **{f"{step.suites[0]}_tests": "skipped: the [loadtest] extra is not installed"}
            )
            continue
        try:
            with held():  # a stop while the child starts: raised once it is known, to stop it
                child = _start_step(args, profile, step, folder, errors)
            code = child.wait()
        except KeyboardInterrupt as stop:
            exit_code = stop_child(child, signal_of(stop)) if child is not None else None
            _record_step(folder, step, started, cpu, exit_code, interrupted=True)
            raise
        if (signum := stop_signal_in(code)) is not None:
            # The child was stopped (by a signal sent to it alone, say): the run
            # was stopped all the same, and its folder must say so, not "a step failed".
            _record_step(folder, step, started, cpu, code, interrupted=True)
            raise Stopped(signum)
        _record_step(folder, step, started, cpu, code)
        said = errors.read_text(errors="replace").strip()
        if code != 0 and said:
            print("\n".join(said.splitlines()[-15:]), file=sys.stderr)
        slow = folder.path / f"slow-statements-{step.scale}.log"
        if "endpoints" in step.suites and slow.exists():
            with slow.open() as lines:
                count = sum(1 for _ in lines)
            print(f"{count} slow-statement warning(s) of the portal: {slow}")
        if code != 0 and EXIT_FOUND.get(step.suites) != code:
            return code
    return 0


def _start_step(
    args: argparse.Namespace, profile: Profile, step: Step, folder: ResultFolder, errors: Path
) -> subprocess.Popen[bytes]:
    """The step's child; each handles stop signals itself and writes what it measured."""
    if step.suites == (LOAD,):
        command = load_command(args, profile, step, folder.path.resolve() / LOAD)
    elif step.suites == (CHECKS,):
        command = _checks_command(args, step, folder)
    elif step.suites == (FAULTS,):
        command = _faults_command(args, profile, step, folder)
    else:
        command = [sys.executable, "-m", "benchmarks.suite"]
        command += _suite_arguments(args, profile, step, folder)
    return _start_child(command, errors)


def _load_tests_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("locust", "gevent"))


def load_command(
    args: argparse.Namespace, profile: Profile, step: Step, results: Path
) -> list[str]:
    """The load tests' command line into ``results``; ``--load-rate`` becomes their ``--rate``."""
    command = [
        sys.executable, "-m", "loadtests", "--profile", LOAD_PROFILE_OF[profile.name],
        "--scale", step.scale, "--seed", str(args.seed),
        "--results", str(results),
    ]  # fmt: skip
    if args.load_rate is not None:
        command += ["--rate", repr(args.load_rate)]
    return command


def _checks_command(args: argparse.Namespace, step: Step, folder: ResultFolder) -> list[str]:
    """``python -m benchmarks.checks`` writing ``checks.json``."""
    return [
        sys.executable, "-m", "benchmarks.checks", "--scale", step.scale,
        "--seed", str(args.seed), "--out", str(folder.file(CHECKS_FILE).resolve()),
    ]  # fmt: skip


def _faults_command(
    args: argparse.Namespace, profile: Profile, step: Step, folder: ResultFolder
) -> list[str]:
    """``perfproof faults`` into ``<run folder>/faults/``."""
    before, fault, after = profile.fault_windows
    return [
        sys.executable, "-m", "benchmarks.cli", "faults", "--scenarios", ",".join(profile.faults),
        "--before", f"{before:g}", "--fault", f"{fault:g}", "--after", f"{after:g}",
        "--scale", step.scale, "--seed", str(args.seed),
        "--results", str(folder.path.resolve() / FAULTS),
    ]  # fmt: skip


def _load_folder(folder: ResultFolder) -> Path | None:
    found = sorted((folder.path / LOAD).glob("*/manifest.json"))
    return found[-1].parent if found else None


def _record_step(
    folder: ResultFolder,
    step: Step,
    started: float,
    cpu: host_cpu.CpuTimes,
    code: int | None,
    interrupted: bool = False,
) -> None:
    folder.note(
        steps=[
            *folder.manifest["steps"],
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
        ]
    )


def _write_tables(folder: ResultFolder, steps: list[Step]) -> list[str]:
    """tidy.csv from every step's JSON that exists, growth.json, summary.txt; the summary."""
    rows: list[dict[str, Any]] = []
    run_id = folder.path.name
    for step in steps:
        path = folder.path / f"{step.name}.json"
        if path.exists():
            rows += observations(json.loads(path.read_text()), run=run_id)
    load = _load_folder(folder)
    if load is not None and (load / "tidy.csv").exists():
        rows += [{**row, "run": run_id} for row in read_tidy(load / "tidy.csv")]
    write_tidy(folder.file("tidy.csv"), rows)
    lines: list[str] = []
    if any(row["suite"] == "queries" for row in rows):
        lines += ["Queries, indexed vs unindexed (medians of every round of both blocks):"]
        lines += query_lines(rows)
    if any(row["suite"] == "endpoints" for row in rows):
        lines += ["", "Endpoints, in-process portal (median ms; statements per request):"]
        lines += endpoint_lines(rows)
    if any(step.growth_only for step in steps) or len({row["scale"] for row in rows}) >= MIN_SIZES:
        analysis = analyse(rows, growth_series())
        write_json_atomically(folder.file("growth.json"), analysis)
        lines += ["", "Growth with the data (fitted over the sizes measured):"]
        lines += growth_lines(analysis)
    if load is not None and (load / "summary.txt").exists():
        lines += ["", f"Load tests ({load.relative_to(folder.path)}):"]
        lines += (load / "summary.txt").read_text().splitlines()[1:]
    write_text_atomically(folder.file("summary.txt"), "\n".join(lines) + "\n")
    return lines


def _suite_arguments(
    args: argparse.Namespace, profile: Profile, step: Step, folder: ResultFolder
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
        f"--profile={profile.name}",
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
