"""A calibration as text: the terminal table, ``calibration.md`` and ``calibration.json``.

Noisy and untestable series first: they are what a team must act on (raise
the threshold, measure more rounds, or stop gating that series).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from reports.inert_text import markdown_text, terminal_text
from reports.regress.calibrate import Calibration
from reports.regress.thresholds import Thresholds

FORMAT_VERSION = 1
_ORDER = {"untestable": 0, "noisy": 1, "ok": 2}
_HEADER = (
    "series",
    "runs",
    "n/run",
    "within",
    "between",
    "A/A flags",
    "threshold",
    "safe threshold",
    "detectable",
    "status",
)


def _percent(value: float) -> str:
    return f"{value:.0%}" if math.isfinite(value) else "—"


def _noise(log_sd: float) -> str:
    """A log-scale sd as the relative spread it means (0.1 -> about 10 %)."""
    return f"{math.expm1(log_sd):.1%}" if math.isfinite(log_sd) else "—"


def ordered(calibrations: Sequence[Calibration]) -> list[Calibration]:
    return sorted(calibrations, key=lambda c: (_ORDER[c.status], c.key))


def _cells(c: Calibration) -> tuple[str, ...]:
    return (
        c.key.label,
        str(c.noise.runs),
        str(c.noise.n),
        _noise(c.noise.within),
        _noise(c.noise.between),
        f"{c.aa_flags}/{c.aa_pairs}",
        _percent(c.threshold),
        _percent(c.safe_threshold),
        _percent(c.detectable),
        c.status,
    )


def summary(calibrations: Sequence[Calibration]) -> str:
    found = {s: sum(c.status == s for c in calibrations) for s in _ORDER}
    flagged = sum(c.aa_flags > 0 for c in calibrations)
    return (
        f"{len(calibrations)} series: "
        + ", ".join(f"{n} {status}" for status, n in found.items() if n)
        + f"; {flagged} flagged in at least one A/A pair"
    )


def terminal_lines(calibrations: Sequence[Calibration], runs: Sequence[str]) -> list[str]:
    rows = [tuple(terminal_text(cell) for cell in _cells(c)) for c in ordered(calibrations)]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(_HEADER)]
    header = "  ".join(h.ljust(w) for h, w in zip(_HEADER, widths, strict=True))
    lines = [f"A/A runs: {terminal_text(', '.join(runs))}", "", header, "-" * len(header)]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    return [*lines, "", summary(calibrations)]


def markdown(
    calibrations: Sequence[Calibration], runs: Sequence[str], thresholds: Thresholds
) -> str:
    lines = [
        "### perfproof regress --calibrate",
        "",
        f"{len(runs)} A/A runs of the same code. Noise is the relative spread of one sample "
        "within a run and of a run's central figure between runs; the safe threshold is the "
        f"smallest an A/A comparison stays under (significance {thresholds.alpha:g} over the "
        "family); detectable is the smallest slowdown flagged in 95 % of comparisons at the "
        "series' threshold. A/A flags: pairs of these runs in which the gate flagged the series. "
        "A benchmark series' noise is of its rounds' time ÷ reference call where the runs "
        "have references (`measure` in calibration.json), as the gate tests it.",
        "",
        "| " + " | ".join(_HEADER) + " |",
        "|" + "---|" * len(_HEADER),
    ]
    for c in ordered(calibrations):
        cells = [markdown_text(cell) for cell in _cells(c)]
        cells[0] = f"<code>{cells[0]}</code>"
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", summary(calibrations) + "."]
    return "\n".join(lines) + "\n"


def document(
    calibrations: Sequence[Calibration], runs: Sequence[str], thresholds: Thresholds
) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "runs": list(runs),
        "thresholds": thresholds.document(),
        "series": [c.document() for c in ordered(calibrations)],
    }
