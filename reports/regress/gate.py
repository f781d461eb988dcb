"""Run folders in, a gate's decision out: read, refuse what cannot be compared, compare, write.

The command line (``perfproof/regress/cli.py``) and ``--against``
(``perfproof/regress/against.py``) both end here. Exit codes: 0 nothing
regressed, 1 something did, 2 the runs cannot be compared
(:class:`~reports.regress.compatibility.CannotCompare`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from portal.cli.exit_codes import Exit
from reports.estimates import RESAMPLES
from reports.regress.compare import Comparison, compare
from reports.regress.compatibility import (
    CannotCompare,
    busy_host_warnings,
    check_same_data,
    check_usable,
    environment_differences,
    profile_differences,
)
from reports.regress.output import Sides, document, markdown, terminal_lines
from reports.regress.run_noise import RunNoise, load_calibration
from reports.regress.samples import (
    SeriesKey,
    SideSamples,
    compared_samples,
    gated_samples,
    offered_rates,
)
from reports.regress.thresholds import Thresholds
from reports.run_folder import RunFolder, read_run

# Two runs' open-model rates further apart than this measure two different loads.
OFFERED_RATE_TOLERANCE = 0.05
JSON_FILE, MARKDOWN_FILE = "regress.json", "regress.md"
MIN_SERIES_FOR_SHIFT = 10  # a median of fewer series says little about the whole run


@dataclass(frozen=True)
class Outcome:
    comparisons: list[Comparison]
    sides: Sides
    lines: list[str]
    exit_code: int
    written: tuple[Path, ...]


def read_side(paths: Sequence[Path]) -> list[RunFolder]:
    """The runs of one side, each refused if unusable (RunFolderError, CannotCompare)."""
    runs = [read_run(path) for path in paths]
    for run in runs:
        check_usable(run)
    return runs


def _refused(
    baseline: Sequence[RunFolder],
    candidate: Sequence[RunFolder],
    base: SideSamples,
    cand: SideSamples,
) -> dict[SeriesKey, str]:
    """Series on both sides that must not be compared, and why."""
    refused: dict[SeriesKey, str] = {}
    rates_b = offered_rates(run.tidy for run in baseline)
    rates_c = offered_rates(run.tidy for run in candidate)
    for key in set(base.samples) | set(cand.samples):
        if key.model == "open" and key.scale in rates_b and key.scale in rates_c:
            ratio = rates_c[key.scale] / rates_b[key.scale]
            if abs(math.log(ratio)) > math.log1p(OFFERED_RATE_TOLERANCE):
                refused[key] = (
                    f"offered rates differ ({rates_b[key.scale]:.1f}/s vs "
                    f"{rates_c[key.scale]:.1f}/s): open-model latency compares at one rate "
                    "(bench --load-rate RPS gives one; regress --against does)"
                )
    for key in cand.all_invalid & set(base.samples):
        refused[key] = "every candidate repetition was invalid (load tests' validity guard)"
    for key in base.all_invalid & set(cand.samples):
        refused[key] = "every baseline repetition was invalid (load tests' validity guard)"
    return refused


def _commits(runs: Sequence[RunFolder]) -> tuple[str, ...]:
    found = [str(run.manifest.git_commit or "")[:12] for run in runs]
    return tuple(dict.fromkeys(c for c in found if c))


def gate(
    baseline_paths: Sequence[Path],
    candidate_paths: Sequence[Path],
    thresholds: Thresholds,
    *,
    out: Path | None,
    strict_environment: bool = False,
    changes_only: bool = False,
    resamples: int = RESAMPLES,
    calibration: Path | None = None,
) -> Outcome:
    """Compare and write ``regress.json``/``regress.md`` into ``out`` (None: write nothing).

    Raises ``RunFolderError`` or :class:`CannotCompare` on runs it cannot compare.
    """
    baseline, candidate = read_side(baseline_paths), read_side(candidate_paths)
    check_same_data(baseline, candidate)
    environment = environment_differences(baseline, candidate)
    if environment and strict_environment:
        raise CannotCompare(f"{environment[0]} (--strict-environment)")
    base = gated_samples(run.tidy for run in baseline)
    cand = gated_samples(run.tidy for run in candidate)
    if not set(base.samples) & set(cand.samples):
        raise CannotCompare(
            "nothing to compare: no gated series is measured on both sides (suites "
            f"{_suites(base)} against {_suites(cand)})"
        )
    refused = _refused(baseline, candidate, base, cand)
    noise = load_calibration(calibration) if calibration is not None else None
    (tested_b, tested_c), relative = compared_samples([base, cand])
    comparisons = compare(
        tested_b,
        tested_c,
        thresholds,
        not_compared=refused,
        resamples=resamples,
        run_noise=noise,
        runs=(len(baseline), len(candidate)),
        blocks=(base.blocks, cand.blocks),
        shown=(base.samples, cand.samples),
        relative=relative,
    )
    uncalibrated = _uncalibrated(comparisons, noise)
    moved = common_shift_warning(comparisons, thresholds.default)
    references = reference_lines(base, cand, thresholds.default)
    sides = Sides(
        baseline=tuple(str(run.path) for run in baseline),
        candidate=tuple(str(run.path) for run in candidate),
        baseline_commits=_commits(baseline),
        candidate_commits=_commits(candidate),
        warnings=(
            *environment,
            *busy_host_warnings([*baseline, *candidate]),
            *profile_differences(baseline, candidate),
            *uncalibrated,
            *moved,
            *references.warnings,
        ),
        notes=references.notes,
    )
    code = Exit.CHECK_FAILED if any(c.verdict == "regressed" for c in comparisons) else Exit.OK
    lines = terminal_lines(comparisons, sides, changes_only=changes_only)
    written = _write(out, comparisons, sides, thresholds, code) if out is not None else ()
    return Outcome(comparisons, sides, lines, code, written)


@dataclass(frozen=True)
class ReferenceLines:
    notes: tuple[str, ...]
    warnings: tuple[str, ...]


def reference_lines(base: SideSamples, cand: SideSamples, threshold: float) -> ReferenceLines:
    """What the benchmark series were divided by, and a warning when it moved itself.

    The ratio takes the machine out, and with it anything the reference
    shares with the series (the driver, the event loop, the app's
    middleware): a change there moves the reference as much as the series
    and divides out. So the reference's own median is compared too, and a
    move beyond the threshold is said loudly (the machine's mood or such a
    change: a reader must look).
    """
    notes: list[str] = []
    warnings: list[str] = []
    for suite in sorted(set(base.references) & set(cand.references)):
        before = float(np.median(base.references[suite]))
        after = float(np.median(cand.references[suite]))
        change = after / before - 1.0
        notes.append(
            f"{suite}: changes are of time ÷ the reference call timed before each round "
            f"(median reference {before * 1e3:.3g} ms → {after * 1e3:.3g} ms, {change:+.1%})"
        )
        if abs(math.log1p(change)) > math.log1p(threshold):
            warnings.append(
                f"the {suite} reference call moved by {change:+.0%}: the machine, or a change "
                "to what every call goes through (driver, event loop, middleware), which the "
                "relative changes divide out"
            )
    return ReferenceLines(tuple(notes), tuple(warnings))


def common_shift_warning(comparisons: list[Comparison], threshold: float) -> tuple[str, ...]:
    """A warning when the benchmark series' times moved together by more than the threshold.

    A code change moves the series that run it; a busy neighbour, a CPU clock or a cold
    cache moves every series at once (seen here: whole quick runs 1.5-1.9x slower than
    the run before). The verdicts stand — a change to everything is possible — but the
    reader is told which explanation the data favour. Of the times, not the ratios: the
    ratios divide the machine out.
    """
    changes = [
        math.log1p(c.raw_change if c.raw_change is not None else c.change.value)
        for c in comparisons
        if c.change is not None and c.key.gated.sample == "rounds"
    ]
    if len(changes) < MIN_SERIES_FOR_SHIFT:
        return ()
    common = float(np.median(changes))
    if abs(common) <= math.log1p(threshold):
        return ()
    return (
        f"the candidate's {len(changes)} benchmark series moved together by a median of "
        f"{math.expm1(common):+.0%}: more likely the machine (load, CPU clock, caches) than "
        "the code; --against measures both commits in one job",
    )


def _uncalibrated(
    comparisons: list[Comparison], noise: dict[SeriesKey, RunNoise] | None
) -> tuple[str, ...]:
    """A warning when a calibration was given but misses compared benchmark series."""
    if noise is None:
        return ()
    missing = [
        c.key
        for c in comparisons
        if c.p is not None and c.key.gated.sample == "rounds" and c.key not in noise
    ]
    if not missing:
        return ()
    return (
        f"{len(missing)} series are not in the calibration (e.g. {missing[0].label}): "
        "they are tested on their rounds only",
    )


def _suites(side: SideSamples) -> str:
    return ", ".join(sorted({key.suite for key in side.samples})) or "none"


def _write(
    out: Path, comparisons: list[Comparison], sides: Sides, thresholds: Thresholds, code: int
) -> tuple[Path, ...]:
    from portal.files import write_json_atomically, write_text_atomically

    out.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = out / JSON_FILE, out / MARKDOWN_FILE
    write_json_atomically(json_path, document(comparisons, sides, thresholds, exit_code=code))
    write_text_atomically(markdown_path, markdown(comparisons, sides, thresholds))
    return json_path, markdown_path
