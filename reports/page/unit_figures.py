"""The sequential load claims' plot: each paired unit's effect in order, the interval after each.

A sequential run's reader asks two things: did one window (a stall) carry
the result, and did the interval settle or was sampling cut short? One
figure answers both: every unit's own figure as a point (stalls marked),
the estimate and its interval as they stood after each unit, and the claimed
band behind them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from reports.page.figures import CLAIM_COLOUR, Plot, render

STALL_COLOUR = "#c0392b"


def units_plot(
    points: Sequence[tuple[float | None, bool]],
    progress: Sequence[Mapping[str, Any]],
    *,
    claimed_low: float | None,
    claimed_high: float | None,
    ylabel: str,
    title: str,
) -> Plot:
    """``points``: each unit's own figure (as a fraction) and whether it holds a stall."""

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        if claimed_low is not None:
            top = claimed_high if claimed_high is not None else max(1.0, claimed_low)
            axes.axhspan(claimed_low * 100, top * 100, color=CLAIM_COLOUR, alpha=0.12,
                         label="claimed")  # fmt: skip
        plain = [
            (i + 1, v * 100) for i, (v, stall) in enumerate(points) if v is not None and not stall
        ]
        stalls = [
            (i + 1, v * 100) for i, (v, stall) in enumerate(points) if v is not None and stall
        ]
        if plain:
            xs, ys = [x for x, _ in plain], [y for _, y in plain]
            axes.scatter(xs, ys, s=14, color="#777777", zorder=3,
                         label="one unit")  # fmt: skip
        if stalls:
            xs, ys = [x for x, _ in stalls], [y for _, y in stalls]
            axes.scatter(xs, ys, s=40, marker="x", color=STALL_COLOUR,
                         zorder=4, label="unit with a stall")  # fmt: skip
        steps = [s for s in progress if s.get("low") is not None and s.get("high") is not None]
        if steps:
            xs = [int(s["n"]) for s in steps]
            axes.plot(xs, [float(s["value"]) * 100 for s in steps], color="#1f4e79",
                      label="estimate after each unit")  # fmt: skip
            axes.fill_between(xs, [float(s["low"]) * 100 for s in steps],
                              [float(s["high"]) * 100 for s in steps], color="#1f4e79",
                              alpha=0.18, label="its interval")  # fmt: skip
        # The first units' intervals are wide by nature: the axis follows the points,
        # the final interval and the claim, and cuts the early band rather than them.
        shown = [v * 100 for v, _ in points if v is not None]
        if steps:
            shown += [float(steps[-1]["low"]) * 100, float(steps[-1]["high"]) * 100]
        shown += [b * 100 for b in (claimed_low, claimed_high) if b is not None]
        if shown:
            margin = max(5.0, 0.15 * (max(shown) - min(shown)))
            axes.set_ylim(min(shown) - margin, max(shown) + margin)
        axes.set_xlabel("paired unit (in the order run)")
        axes.set_ylabel(ylabel)
        axes.set_title(title, fontsize=9)
        axes.legend(fontsize=7, loc="best")

    alt = f"{title}: {len(points)} units, the interval after each"
    return render(draw, 3.2, alt)
