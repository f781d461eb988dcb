"""``python -m reports.regress.trials``: how often the gate flags what, over many real comparisons.

The proof of a gate is its record: over A/A comparisons (the same code on
both sides) it must flag nothing, and over comparisons with a known
slowdown it must flag the slowed series, and only the series that depend
on them, nearly every time. This takes two folders of run folders, as an
interleaved sequence measured them (baseline, candidate, baseline, ...,
sorted by name = by start time), and compares each baseline run with the
next one (A/A) and with the candidate run measured after it (A/B), each
comparison exactly as ``perfproof regress`` makes it (``--pool N``: N runs
a side, as ``--against --repeats N`` pools them). docs/records.md's "The
regression gate on this machine" comes from it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal.cli.exit_codes import Exit
from reports.regress.compare import Comparison
from reports.regress.gate import gate
from reports.regress.thresholds import DEFAULT_THRESHOLDS, Thresholds, load_thresholds

FLAGS = ("regressed", "improved")


@dataclass(frozen=True)
class Trial:
    kind: str  # "A/A" or "A/B"
    baseline: tuple[str, ...]
    candidate: tuple[str, ...]
    flagged: tuple[tuple[str, str, float], ...]  # (series, verdict, change)
    changes: dict[str, float]  # every compared series' change


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Compare each run of --baseline-runs with the next one (A/A) and with the run of "
            "--candidate-runs measured after it (A/B), as perfproof regress does, and count "
            "which series the gate flags. Both folders hold run folders of perfproof bench, "
            "measured interleaved (baseline, candidate, baseline, ...)."
        ),
    )
    parser.add_argument("--baseline-runs", type=Path, required=True, metavar="DIR")
    parser.add_argument("--candidate-runs", type=Path, metavar="DIR")
    parser.add_argument(
        "--depends",
        action="append",
        default=[],
        metavar="TEXT",
        help="a series whose label contains TEXT depends on the change (repeatable); "
        "a flag on any other series in an A/B comparison is a false one",
    )
    parser.add_argument("--pool", type=int, default=1, metavar="N", help="runs a side (default 1)")
    parser.add_argument("--calibration", type=Path, metavar="FILE")
    parser.add_argument("--thresholds", type=Path, metavar="FILE")
    parser.add_argument("--out", type=Path, metavar="FILE", help="write the trials as JSON")
    return parser


def _runs(folder: Path) -> list[Path]:
    """The finished runs of ``folder``, in the order they were measured (one still running,
    or killed, is left out and said so: a sequence is often read while it is measured)."""
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such folder of runs")
    found = sorted(path for path in folder.iterdir() if (path / "manifest.json").is_file())
    finished = [path for path in found if _finished(path)]
    if len(finished) < len(found):
        sys.stderr.write(f"{folder}: {len(found) - len(finished)} unfinished runs left out\n")
    return finished


def _finished(run: Path) -> bool:
    try:
        return bool(json.loads((run / "manifest.json").read_text()).get("finished"))
    except (OSError, ValueError, AttributeError):
        return True  # the gate itself says what is wrong with it


def _trial(
    kind: str,
    base: Sequence[Path],
    cand: Sequence[Path],
    thresholds: Thresholds,
    calibration: Path | None,
) -> Trial:
    outcome = gate(base, cand, thresholds, out=None, calibration=calibration, resamples=200)
    found: list[Comparison] = outcome.comparisons
    return Trial(
        kind,
        tuple(path.name for path in base),
        tuple(path.name for path in cand),
        tuple(
            (c.key.label, c.verdict, c.change.value if c.change else float("nan"))
            for c in found
            if c.verdict in FLAGS
        ),
        {c.key.label: c.change.value for c in found if c.change is not None},
    )


def trials(args: argparse.Namespace) -> list[Trial]:
    """Every A/A and A/B comparison of the sequence."""
    pool = args.pool
    base = _runs(args.baseline_runs)
    cand = _runs(args.candidate_runs) if args.candidate_runs else []
    if pool < 1 or len(base) < 2 * pool:
        raise ValueError(f"{args.baseline_runs}: {len(base)} runs, and A/A needs {2 * pool}")
    thresholds = load_thresholds(args.thresholds)
    pairs = [
        ("A/A", base[start : start + pool], base[start + pool : start + 2 * pool])
        for start in range(0, len(base) - 2 * pool + 1, pool)
    ]
    pairs += [
        ("A/B", base[start : start + pool], cand[start : start + pool])
        for start in range(0, min(len(base), len(cand)) - pool + 1, pool)
    ]
    found: list[Trial] = []
    for kind, first, second in pairs:
        found.append(_trial(kind, first, second, thresholds, args.calibration))
        _progress(found[-1])
    return found


def _progress(trial: Trial) -> None:
    named = ", ".join(
        f"{label} {verdict} {change:+.0%}" for label, verdict, change in trial.flagged
    )
    sys.stdout.write(
        f"{trial.kind} {'+'.join(trial.baseline)} vs {'+'.join(trial.candidate)}: "
        f"{len(trial.flagged)} flagged{': ' + named if named else ''}\n"
    )
    sys.stdout.flush()


def summary(found: Sequence[Trial], depends: Sequence[str]) -> list[str]:
    """The record: A/A comparisons with any flag; per dependent series, how often caught."""
    aa = [t for t in found if t.kind == "A/A"]
    ab = [t for t in found if t.kind == "A/B"]
    lines = [
        f"A/A: {sum(1 for t in aa if t.flagged)} of {len(aa)} comparisons flagged a series "
        f"({sum(len(t.flagged) for t in aa)} flags in all)"
    ]
    if not ab:
        return lines

    def dependent(label: str) -> bool:
        return any(text in label for text in depends)

    false = [t for t in ab if any(not dependent(label) for label, _, _ in t.flagged)]
    lines.append(
        f"A/B: {len(false)} of {len(ab)} comparisons flagged a series that does not depend "
        "on the change"
    )
    labels = sorted({label for t in ab for label in t.changes if dependent(label)})
    for label in labels:
        caught = sum(1 for t in ab if (label, "regressed") in {(f[0], f[1]) for f in t.flagged})
        changes = sorted(t.changes[label] for t in ab if label in t.changes)
        middle = changes[len(changes) // 2] if changes else float("nan")
        lines.append(f"  {label}: regressed in {caught} of {len(ab)} (median change {middle:+.1%})")
    return lines


def _document(trial: Trial) -> dict[str, Any]:
    return {
        "kind": trial.kind,
        "baseline": list(trial.baseline),
        "candidate": list(trial.candidate),
        "flagged": [{"series": s, "verdict": v, "change": c} for s, v, c in trial.flagged],
        "changes": trial.changes,
    }


def run(args: argparse.Namespace) -> int:
    try:
        found = trials(args)
    except (ValueError, OSError) as error:
        sys.stderr.write(f"error: {error}\n")
        return Exit.BAD_INPUT
    lines = summary(found, args.depends)
    sys.stdout.write("\n" + "\n".join(lines) + "\n")
    if args.out is not None:
        from portal.files import write_json_atomically

        write_json_atomically(
            args.out,
            {
                "thresholds": str(args.thresholds or DEFAULT_THRESHOLDS),
                "depends": args.depends,
                "summary": lines,
                "trials": [_document(t) for t in found],
            },
        )
    return Exit.OK


if __name__ == "__main__":
    from portal.cli.commands import invoke

    sys.exit(invoke(sys.modules[__name__], sys.argv[1:], prog="python -m reports.regress.trials"))
