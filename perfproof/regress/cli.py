"""``perfproof regress``: the CI performance regression gate, run against run or commit against
commit.

Three tasks, one command:

- ``--baseline RUN --candidate RUN``: compare two (sets of) run folders or
  saved baselines; the table, ``regress.md``, ``regress.json``; exit 1 when
  anything regressed;
- ``--calibrate [RUN RUN ...]``: from A/A runs (given, or measured now),
  each series' noise and the thresholds it can gate on;
- ``--against REF``: measure the commit REF (a temporary git worktree with an
  environment of its own) and the current tree in one job, interleaved, then
  compare them.

``--save-baseline NAME --run RUN`` keeps a run under a name. Bad input of any
kind is one line on stderr and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from portal.cli.commands import EXIT_STOPPED_HELP
from portal.cli.exit_codes import Exit
from reports.regress.baselines import BaselineError, resolve, save_baseline
from reports.regress.compatibility import CannotCompare
from reports.regress.gate import gate, read_side
from reports.regress.run_noise import CalibrationError
from reports.regress.thresholds import (
    DEFAULT_THRESHOLDS,
    Thresholds,
    ThresholdsError,
    load_thresholds,
)
from reports.run_folder import RunFolderError

_BAD_INPUT = (
    BaselineError,
    CalibrationError,
    CannotCompare,
    RunFolderError,
    ThresholdsError,
    OSError,
)


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "The performance regression gate. Compares every series measured in both the "
            "baseline and the candidate (query and endpoint benchmarks: their rounds; load "
            "tests: latency and throughput per route, arm and model, over repetitions). A "
            "series is regressed only when its change is significant (Mann-Whitney U on the "
            "rounds, each divided by the reference call timed just before it, and a t-test on "
            "their block medians; Student t on the log figures of the repetitions; the "
            "family-wise error controlled over all series, Holm) AND worse than its threshold "
            "(default 10 %; a benchmark series' times themselves too, not only their ratio "
            "to the reference; "
            f"{DEFAULT_THRESHOLDS.name} and --thresholds). Prints the table and writes "
            "regress.md and regress.json."
        ),
        epilog=(
            "Exit codes: 0 nothing regressed, 1 a series regressed, 2 cannot compare (missing, "
            f"corrupt or unfinished run, other data, bad thresholds file), {EXIT_STOPPED_HELP}: "
            "with --against, the bench running stops first, then the baseline's worktree and "
            "environment are removed. Examples: "
            "perfproof regress --baseline results/A --candidate results/B; "
            "perfproof regress --baseline main --candidate results/B (a saved baseline); "
            "perfproof regress --calibrate results/A results/B results/C; "
            "perfproof regress --against origin/main"
        ),
    )
    parser.add_argument(
        "--baseline",
        action="append",
        metavar="RUN",
        help="a run folder or saved baseline name (repeat to pool runs)",
    )
    parser.add_argument(
        "--candidate", action="append", metavar="RUN", help="a run folder (repeat to pool runs)"
    )
    parser.add_argument(
        "--calibrate",
        nargs="*",
        metavar="RUN",
        help="A/A runs of the same code (two or more; none: measure --aa-runs of the current "
        "tree now): each series' noise, safe threshold and detectable slowdown",
    )
    parser.add_argument(
        "--against",
        metavar="REF",
        help="measure git REF and the current tree here, interleaved, and compare",
    )
    parser.add_argument(
        "--repeats",
        type=_repeats,
        default=2,
        metavar="N",
        help="--against: bench runs per side, interleaved ABBA... (default 2)",
    )
    parser.add_argument(
        "--aa-runs",
        type=_repeats,
        default=5,
        metavar="N",
        help="--calibrate without runs: how many A/A bench runs to measure (default 5)",
    )
    parser.add_argument(
        "--bench-args",
        default="--profile gate --suite queries --suite endpoints",
        metavar="ARGS",
        help="--against and --calibrate: the options of each perfproof bench run (default: "
        "'%(default)s', the profile the gate was proven with, about 70 s a run); with the "
        "load tests, the runs after the first get the first one's open-model rate "
        "(--load-rate), unless ARGS name one",
    )
    parser.add_argument(
        "--fresh-env",
        action="store_true",
        help="--against: pip install the baseline into an empty virtualenv (default: its "
        "source over this environment's packages)",
    )
    parser.add_argument(
        "--calibration",
        type=Path,
        metavar="FILE",
        help="a calibration.json of --calibrate: a benchmark series must also stand out from "
        "its A/A spread between runs (recommended on shared machines)",
    )
    parser.add_argument(
        "--thresholds",
        type=Path,
        metavar="FILE",
        help=f"thresholds on top of {DEFAULT_THRESHOLDS.name} (TOML)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="where regress.md/.json go (default: the candidate run folder)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=Path("results"),
        metavar="DIR",
        help="the results root, with saved baselines (default ./results)",
    )
    parser.add_argument(
        "--strict-environment",
        action="store_true",
        help="refuse runs from another machine or other versions (exit 2)",
    )
    parser.add_argument(
        "--changes-only", action="store_true", help="print only the series that are not unchanged"
    )
    parser.add_argument(
        "--save-baseline",
        metavar="NAME",
        help="save --run as the baseline NAME (under RESULTS/baselines/)",
    )
    parser.add_argument("--run", type=Path, metavar="DIR", help="with --save-baseline")
    return parser


def _repeats(text: str) -> int:
    from portal.cli.args import positive_int

    return positive_int(text)


def _say(lines: list[str]) -> None:
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def _error(message: str) -> None:
    sys.stderr.write(f"error: {message}\n")


def _mode(args: argparse.Namespace) -> str:
    """The one task asked for; ValueError naming the mix-up otherwise."""
    chosen = [
        name
        for name, given in (
            ("compare", bool(args.baseline or args.candidate)),
            ("calibrate", args.calibrate is not None),
            ("against", args.against is not None),
            ("save", args.save_baseline is not None),
        )
        if given
    ]
    if len(chosen) != 1:
        raise ValueError(
            "give one of --baseline/--candidate, --calibrate, --against or --save-baseline"
        )
    if chosen == ["compare"] and not (args.baseline and args.candidate):
        raise ValueError("--baseline and --candidate go together")
    if chosen == ["save"] and args.run is None:
        raise ValueError("--save-baseline NAME needs --run DIR")
    return chosen[0]


def _stamped(results: Path, label: str) -> Path:
    return results / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{label}"


def run(args: argparse.Namespace) -> int:
    try:
        mode = _mode(args)
    except ValueError as error:
        _error(str(error))
        return Exit.BAD_INPUT
    try:
        thresholds = load_thresholds(args.thresholds)
        if mode == "save":
            saved = save_baseline(args.run, args.save_baseline, args.results)
            _say([f"saved baseline {args.save_baseline}: {saved}"])
            return Exit.OK
        if mode == "calibrate":
            return _calibrate(args, thresholds)
        if mode == "against":
            from perfproof.regress.against import AgainstError, measure_against

            try:
                outcome = measure_against(args, thresholds)
            except AgainstError as error:
                _error(str(error))
                return Exit.BAD_INPUT
        else:
            baseline = [resolve(text, args.results) for text in args.baseline]
            candidate = [resolve(text, args.results) for text in args.candidate]
            out = args.out or (candidate[0] if len(candidate) == 1 else None)
            outcome = gate(
                baseline,
                candidate,
                thresholds,
                out=out or _stamped(args.results, "regress"),
                strict_environment=args.strict_environment,
                changes_only=args.changes_only,
                calibration=args.calibration,
            )
    except _BAD_INPUT as error:
        _error(str(error))
        return Exit.BAD_INPUT
    for line in outcome.sides.warnings:
        sys.stderr.write(f"WARNING: {line}\n")
    _say([*outcome.lines, *(f"wrote {path}" for path in outcome.written)])
    return outcome.exit_code


def _calibrate(args: argparse.Namespace, thresholds: Thresholds) -> int:
    from portal.files import write_json_atomically, write_text_atomically
    from reports.regress import calibration_output
    from reports.regress.calibrate import calibrate
    from reports.regress.compatibility import check_same_data
    from reports.regress.samples import compared_samples, gated_samples

    out = args.out or _stamped(args.results, "calibration")
    if args.calibrate:
        paths = [resolve(text, args.results) for text in args.calibrate]
    else:
        from perfproof.regress.against import AgainstError, measure_aa

        try:
            paths = measure_aa(args, out)
        except AgainstError as error:
            raise CannotCompare(str(error)) from None
    if len(paths) < 2:
        raise CannotCompare("--calibrate needs two A/A runs or more")
    runs = read_side(paths)
    check_same_data(runs[:1], runs[1:])
    sides = [gated_samples([run.tidy]) for run in runs]
    tested, relative = compared_samples(sides)
    calibrations = calibrate(
        tested,
        thresholds,
        [side.blocks for side in sides],
        relative,
        shown=[side.samples for side in sides],
    )
    if not calibrations:
        raise CannotCompare("nothing to calibrate: no gated series is measured in every run")
    names = [run.name for run in runs]
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomically(
        out / "calibration.json", calibration_output.document(calibrations, names, thresholds)
    )
    write_text_atomically(
        out / "calibration.md", calibration_output.markdown(calibrations, names, thresholds)
    )
    _say([*calibration_output.terminal_lines(calibrations, names), f"wrote {out}/calibration.*"])
    return Exit.OK
