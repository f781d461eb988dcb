"""The gate's findings as text: the terminal table, ``regress.md`` and ``regress.json``.

Rows that need a reader's eye (regressed, improved, not compared, added,
removed) come first; the unchanged ones follow (in the Markdown, folded away
under ``<details>``, so a pull-request comment stays short). Intervals are
each series' own 95 % interval; the decision uses the p-value corrected over
the family, shown beside the raw one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reports.inert_text import markdown_text, terminal_text
from reports.regress.compare import SERIES_WORDS, Comparison
from reports.regress.thresholds import Thresholds

FORMAT_VERSION = 1
_ORDER = {verdict: number for number, verdict in enumerate(SERIES_WORDS)}
_ATTENTION = ("regressed", "improved", "not compared", "added", "removed")


@dataclass(frozen=True)
class Sides:
    """What was compared: the runs of each side and their commits."""

    baseline: tuple[str, ...]
    candidate: tuple[str, ...]
    baseline_commits: tuple[str, ...] = ()
    candidate_commits: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())  # what the changes are of


def figure(value: float | None, metric: str) -> str:
    if value is None:
        return "—"
    if metric == "throughput":
        return f"{value:.1f}/s"
    return f"{value * 1e3:.3g} ms"


def signed(value: float) -> str:
    return f"{value:+.1%}"


def change_text(comparison: Comparison) -> str:
    change = comparison.change
    if change is None:
        return "—"
    if change.low is None or change.high is None:
        return signed(change.value)
    return f"{signed(change.value)} [{signed(change.low)}, {signed(change.high)}]"


def p_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2g}" if value < 0.001 else f"{value:.3f}"


def ordered(comparisons: Sequence[Comparison]) -> list[Comparison]:
    return sorted(comparisons, key=lambda c: (_ORDER[c.verdict], c.key))


def counts(comparisons: Sequence[Comparison]) -> dict[str, int]:
    return {verdict: sum(c.verdict == verdict for c in comparisons) for verdict in SERIES_WORDS}


def tally(comparisons: Sequence[Comparison]) -> str:
    found = counts(comparisons)
    return ", ".join(f"{n} {verdict}" for verdict, n in found.items() if n) or "no series"


def _cells(c: Comparison) -> tuple[str, ...]:
    return (
        c.key.label,
        figure(c.baseline, c.key.metric),
        figure(c.candidate, c.key.metric),
        change_text(c),
        p_text(c.p),
        p_text(c.q),
        f"{c.threshold:.0%}",
        c.verdict,
    )


_HEADER = (
    "series",
    "baseline",
    "candidate",
    "change [95 % interval]",
    "p",
    "p adj.",
    "threshold",
    "verdict",
)


def terminal_lines(
    comparisons: Sequence[Comparison], sides: Sides, *, changes_only: bool = False
) -> list[str]:
    """The table, the warnings and one summary line (the last)."""
    rows = [
        tuple(terminal_text(cell) for cell in _cells(c))
        for c in ordered(comparisons)
        if not changes_only or c.verdict in _ATTENTION
    ]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(_HEADER)]
    lines = [
        f"baseline: {terminal_text(', '.join(sides.baseline))}",
        f"candidate: {terminal_text(', '.join(sides.candidate))}",
    ]
    lines += [f"note: {terminal_text(note)}" for note in sides.notes]
    lines += [f"WARNING: {terminal_text(warning)}" for warning in sides.warnings]
    header = "  ".join(h.ljust(w) for h, w in zip(_HEADER, widths, strict=True))
    lines += ["", header, "-" * len(header)]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    # Regressed and improved rows say it all; the others need their reason, once per reason
    # (an unfinished open model can make a hundred rows "not compared" for one cause).
    reasons: dict[tuple[str, str], list[Comparison]] = {}
    for c in ordered(comparisons):
        if c.verdict in _ATTENTION[2:]:
            reasons.setdefault((c.verdict, c.reason), []).append(c)
    if reasons:
        lines.append("")
    for (verdict, reason), rows_of in reasons.items():
        label, why = terminal_text(rows_of[0].key.label), terminal_text(reason)
        if len(rows_of) == 1:
            lines.append(f"  {label}: {verdict}: {why}")
        else:
            lines.append(f"  {len(rows_of)} series {verdict} (e.g. {label}): {why}")
    lines += ["", f"{len(comparisons)} series: {tally(comparisons)}"]
    return lines


def _table(comparisons: Sequence[Comparison]) -> list[str]:
    lines = [
        "| " + " | ".join(_HEADER) + " | why |",
        "|" + "---|" * (len(_HEADER) + 1),
    ]
    for c in comparisons:
        cells = [markdown_text(cell) for cell in _cells(c)]
        cells[0] = f"<code>{cells[0]}</code>"
        if c.verdict == "regressed":
            cells[-1] = f"**{cells[-1]}**"
        lines.append("| " + " | ".join([*cells, markdown_text(c.reason)]) + " |")
    return lines


def _runs(runs: Sequence[str], commits: Sequence[str]) -> str:
    """``<code>run</code> (commit abc)``: one side's run folders and their commits."""
    text = f"<code>{markdown_text(', '.join(runs))}</code>"
    return text + (f" (commit {markdown_text(', '.join(commits))})" if commits else "")


def markdown(comparisons: Sequence[Comparison], sides: Sides, thresholds: Thresholds) -> str:
    """``regress.md``: for ``$GITHUB_STEP_SUMMARY`` or a pull-request comment."""
    regressed = counts(comparisons)["regressed"]
    headline = f"{regressed} regressed" if regressed else "no regression"
    lines = [
        f"### perfproof regress: {headline}",
        "",
        f"Baseline {_runs(sides.baseline, sides.baseline_commits)}; "
        f"candidate {_runs(sides.candidate, sides.candidate_commits)}.",
        "",
        f"A series is regressed when its change is significant at {thresholds.alpha:g} "
        f"({'false discovery rate' if thresholds.control == 'fdr' else 'family-wise error'} "
        "controlled over every series compared) and worse than its threshold (a benchmark "
        "series tested on time ÷ reference: its times too, the same way). Intervals are "
        "95 %, per series.",
        "",
    ]
    lines += [f"Note: {markdown_text(note)}." for note in sides.notes]
    if sides.notes:
        lines.append("")
    lines += [f"> **Warning:** {markdown_text(warning)}" for warning in sides.warnings]
    if sides.warnings:
        lines.append("")
    attention = [c for c in ordered(comparisons) if c.verdict in _ATTENTION]
    quiet = [c for c in ordered(comparisons) if c.verdict not in _ATTENTION]
    if attention:
        lines += [*_table(attention), ""]
    if quiet:
        lines += [f"<details><summary>{len(quiet)} unchanged series</summary>", ""]
        lines += [*_table(quiet), "", "</details>", ""]
    lines.append(f"{len(comparisons)} series: {tally(comparisons)}.")
    return "\n".join(lines) + "\n"


def document(
    comparisons: Sequence[Comparison], sides: Sides, thresholds: Thresholds, *, exit_code: int
) -> dict[str, Any]:
    """``regress.json``: everything the table shows, and the settings that decided it."""
    return {
        "format": FORMAT_VERSION,
        "baseline": {"runs": list(sides.baseline), "commits": list(sides.baseline_commits)},
        "candidate": {"runs": list(sides.candidate), "commits": list(sides.candidate_commits)},
        "warnings": list(sides.warnings),
        "notes": list(sides.notes),
        "thresholds": thresholds.document(),
        "counts": counts(comparisons),
        "exit_code": exit_code,
        "series": [c.document() for c in ordered(comparisons)],
    }
