"""``perfproof across``: the claims of several runs side by side, their spread and a pooled verdict.

Measures nothing: it reads each run folder's ``verdicts.json`` (``perfproof bench`` and
``perfproof report`` write it) and, per claim, prints every run's estimate, whether one
run's interval holds the spread between the runs, and the estimate and verdict across
them (``reports/across_runs.py`` says how and why).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from portal.cli.exit_codes import Exit
from portal.files import write_json_atomically
from reports.across_runs import AcrossError, Pooled, pool_all, read_verdicts
from reports.claims import DEFAULT_CLAIMS, ClaimsError, load_claims
from reports.verdict_rule import Claimed


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Several runs of the same claims, side by side: per claim every run's estimate "
            "and half-width; whether one run's interval holds the spread between the runs "
            "(their standard deviation at most twice the mean half-width over 1.96); and a "
            "random-effects estimate across the runs (Paule-Mandel, Hartung-Knapp interval), "
            "with the between-run standard deviation (tau) and the claim's verdict on it. A "
            "run's interval is about that run; this says whether the verdict holds across "
            "runs. Measures nothing: reads each run folder's verdicts.json."
        ),
        epilog=(
            "Exit codes: 0 written, 2 fewer than two runs, a folder without verdicts.json, or "
            "a bad claims file. Example: perfproof across results/*-default-small "
            "--json across.json"
        ),
    )
    parser.add_argument(
        "runs", type=Path, nargs="+", metavar="RUN", help="run folders (two or more)"
    )
    parser.add_argument(
        "--claims",
        type=Path,
        default=DEFAULT_CLAIMS,
        metavar="FILE",
        help="the claims file whose rules give the verdicts across the runs "
        "(default: the write-up's, reports/claims.toml)",
    )
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the figures to FILE as JSON"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    try:
        if len(args.runs) < 2:
            raise AcrossError("give two run folders or more: one run has nothing to compare")
        claims = load_claims(args.claims)
        runs = [(str(folder), read_verdicts(folder)) for folder in args.runs]
    except (AcrossError, ClaimsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return Exit.BAD_INPUT
    claimed: dict[str, Claimed] = {c.id: c.claimed for c in claims.claims if c.claimed is not None}
    pooled = pool_all(runs, claimed)
    print(f"{len(runs)} runs: " + ", ".join(Path(name).name for name, _ in runs))
    for claim in pooled:
        print("\n".join(lines_of(claim)))
    if args.json is not None:
        write_json_atomically(args.json, {
            "runs": [name for name, _ in runs],
            "claims_file": str(claims.path),
            "claims": [claim.document() for claim in pooled],
        })  # fmt: skip
        print(f"written: {args.json}")
    print(f"({time.monotonic() - started:.1f} s)")
    return Exit.OK


def lines_of(claim: Pooled) -> list[str]:
    """A claim's three lines: across the runs, each run, and the spread."""

    def value(number: float) -> str:
        return f"{number * 100:.1f} %" if claim.percent else f"{number:.4g}"

    def width(number: float) -> str:
        return f"{number * 100:.2f}" if claim.percent else f"{number:.3g}"

    rule = f" ({claim.claimed.describe(claim.percent)})" if claim.claimed else ""
    if claim.estimate is None or claim.low is None or claim.high is None:
        head = f"{claim.claim}{rule}: not pooled: {claim.not_pooled}"
    else:
        verdict = f" {claim.verdict.upper()}" if claim.verdict else ""
        head = (
            f"{claim.claim}{rule}: across {len(claim.runs)} runs {value(claim.estimate)} "
            f"[{value(claim.low)}, {value(claim.high)}]{verdict}"
        )
    each = ", ".join(f"{value(r.measured)} ±{width(r.half_width)}" for r in claim.runs)
    lines = [head, f"  each run: {each}"]
    if claim.estimate is not None:  # a spread of runs that cannot be pooled says nothing
        held = "within" if claim.spread_held else "BEYOND"
        points = " points" if claim.percent else ""
        between = "" if claim.tau is None or claim.i2 is None else (
            f"; between-run SD (tau) {width(claim.tau)}{points}, I² {claim.i2 * 100:.0f} %"
        )  # fmt: skip
        lines.append(
            f"  spread: SD of the estimates {width(claim.spread)}{points} against "
            f"{width(claim.spread_allowed)} their intervals allow: {held} one run's "
            f"interval{between}"
        )
    return lines
