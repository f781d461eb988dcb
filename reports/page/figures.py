"""The report's plots: plain numbers in, a self-contained SVG data URI out.

Built on ``matplotlib.figure.Figure`` directly, never pyplot: no global
figure manager, no backend switched at import, nothing left open between
calls, so rendering a report in a process that also does other work (the
bench runner) changes nothing there. The SVG has its text as paths and no
date in it: the file opens offline with no font installed, and the same run
renders the same bytes.

Each plot shows distributions, not bars of means: every benchmark round,
every repetition's pair, the whole latency CDF. A sceptical reader should see
the spread an interval was computed from. This module holds the shared
rendering and the benchmark plots; the load runs' are in ``load_figures.py``.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter
from matplotlib.typing import RcKeyType

WIDTH_IN = 7.0
STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "perfproof",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
# Okabe-Ito: told apart with every common colour blindness; each arm keeps its colour.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
ARM_COLOURS = {
    "indexed": PALETTE[0],
    "all-on": PALETTE[0],
    "hit": PALETTE[0],
    "on": PALETTE[0],
    "unindexed": PALETTE[1],
    "all-off": PALETTE[1],
    "uncached-unindexed": PALETTE[1],
    "off": PALETTE[1],
    "no-cache": PALETTE[2],
    "uncached": PALETTE[2],
    "miss": PALETTE[3],
    "no-indexes": PALETTE[3],
}
CLAIM_COLOUR = "#999999"
FLOOR_PERCENT = -200.0  # the effect axis's left end; an interval beyond it gets an arrow


@dataclass(frozen=True)
class Plot:
    """One rendered figure: the data URI for ``<img src>`` and the text for ``alt``."""

    uri: str
    alt: str


def colour(arm: str, position: int = 0) -> str:
    return ARM_COLOURS.get(arm, PALETTE[position % len(PALETTE)])


def render(draw: Callable[[Figure], None], height_in: float, alt: str) -> Plot:
    with mpl.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
        draw(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Plot(f"data:image/svg+xml;base64,{encoded}", alt)


def log_axis(axes: Axes, which: str = "x") -> None:
    """A log axis labelled 1, 10, 100 rather than 10^0, 10^1: plain numbers for plain readers."""
    plain = FuncFormatter(lambda value, _: f"{value:,.10g}")
    if which == "x":
        axes.set_xscale("log")
        axes.xaxis.set_major_formatter(plain)
    else:
        axes.set_yscale("log")
        axes.yaxis.set_major_formatter(plain)


def _wide(values: Sequence[float]) -> bool:
    """Whether a log axis reads better: the values span more than a factor of 20."""
    positive = [v for v in values if v > 0]
    return bool(positive) and max(positive) / min(positive) > 20


def rounds_plot(
    arms: Mapping[str, Sequence[float]],
    blocks: Mapping[str, Sequence[int]] | None = None,
    *,
    title: str,
) -> Plot:
    """Every round of each arm (seconds, shown in ms): a box over the jittered points.

    The marker says the interleaved block a round ran in, so a drift between
    blocks shows as two clouds instead of hiding in one median.
    """
    names = list(arms)
    everything = [v for values in arms.values() for v in values]

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        rng = np.random.default_rng(0)
        for row, name in enumerate(names):
            values = np.asarray(arms[name], dtype=float) * 1e3
            axes.boxplot(
                values,
                positions=[row],
                orientation="horizontal",
                widths=0.5,
                showfliers=False,
                medianprops={"color": "black"},
            )
            marks = list(blocks[name]) if blocks and name in blocks else [1] * len(values)
            for block, marker in ((1, "o"), (2, "^")):
                picked = np.array([m == block for m in marks], dtype=bool)
                if not picked.any():
                    continue
                jitter = row + rng.uniform(-0.18, 0.18, int(picked.sum()))
                axes.scatter(
                    values[picked], jitter, s=14, marker=marker, alpha=0.7, color=colour(name, row)
                )
        axes.set_yticks(range(len(names)), [f"{n}\n(n = {len(arms[n])})" for n in names])
        axes.invert_yaxis()  # the first arm (the baseline) on top, as in the table below
        if _wide(everything):
            log_axis(axes)
        axes.set_xlabel("time of one call (ms)")
        axes.set_title(title, loc="left")
        if blocks:
            handles = [
                Line2D([], [], marker=m, linestyle="", color="grey", label=f"block {b}")
                for b, m in ((1, "o"), (2, "^"))
            ]
            axes.legend(
                handles=handles, loc="best", fontsize=7, title="interleaved block", title_fontsize=7
            )

    alt = f"{title}: every benchmark round of " + " and ".join(
        f"{name} ({len(values)} rounds)" for name, values in arms.items()
    )
    return render(draw, 0.9 + 0.6 * len(names), alt)


def effect_plot(
    measured: float,
    low: float | None,
    high: float | None,
    *,
    claimed_low: float,
    claimed_high: float | None,
    percent: bool = True,
    label: str = "reduction",
) -> Plot:
    """The effect and its 95 % interval over the claimed range (an at-least claim: to the edge)."""
    scale = 100.0 if percent else 1.0
    # Two repetitions can give an interval reaching -300,000 %: drawn to scale it would squash
    # the claim to a line. The axis stops at FLOOR and an arrow says the interval goes on.
    floor = FLOOR_PERCENT / scale if percent else -math.inf
    drawn_low = max(low, floor) if low is not None else None
    shown_measured = max(measured, floor)
    points = [shown_measured, claimed_low] + [
        v for v in (drawn_low, high, claimed_high) if v is not None
    ]
    left = min(0.0, min(points)) * scale
    right = max(points) * scale
    pad = max(right - left, 1e-9) * 0.08
    left, right = left - pad, right + pad
    if percent:
        right = max(right, min(100.0, claimed_low * scale + pad))

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        top = claimed_high * scale if claimed_high is not None else right
        axes.axvspan(claimed_low * scale, top, color=CLAIM_COLOUR, alpha=0.25, label="claimed")
        axes.axvline(0, color="black", linewidth=0.8)
        if low is not None and high is not None and drawn_low is not None:
            axes.errorbar(
                [shown_measured * scale],
                [0],
                xerr=[[(shown_measured - drawn_low) * scale], [(high - shown_measured) * scale]],
                fmt="o",
                color="black",
                capsize=6,
                label="measured, 95 % interval",
            )
            if drawn_low > low:
                axes.plot([drawn_low * scale], [0], "<", color="black", markersize=9)
                axes.annotate(
                    f"interval goes on to {low * scale:,.0f} %",
                    (drawn_low * scale, 0),
                    xytext=(4, -14),
                    textcoords="offset points",
                    fontsize=7,
                )
        else:
            axes.plot(
                [shown_measured * scale], [0], "o", color="black", label="measured (no interval)"
            )
        axes.set_xlim(left, right)
        axes.set_ylim(-1, 2)  # the upper half holds the legend, clear of the interval
        axes.set_yticks([])
        axes.grid(axis="y", visible=False)
        axes.set_xlabel(f"{label} (%)" if percent else label)
        axes.legend(loc="upper left", fontsize=7, ncols=2, frameon=False)

    shown = f"{measured * scale:.1f}" + (" %" if percent else "")
    interval = (
        f", interval {low * scale:.1f} to {high * scale:.1f}"
        if low is not None and high is not None
        else ", no interval"
    )
    claimed = f"claimed from {claimed_low * scale:g}" + (
        f" to {claimed_high * scale:g}" if claimed_high is not None else " up"
    )
    return render(draw, 1.25, f"measured {label} {shown}{interval}; {claimed}")


@dataclass(frozen=True)
class GrowthLine:
    """One arm of a growth series: its measured medians and its fitted law."""

    name: str  # "indexed", "unindexed"
    rows: Sequence[float]
    seconds: Sequence[float]
    law: str
    predict: Callable[[float], float]


def growth_plot(
    lines: Sequence[GrowthLine],
    *,
    title: str,
    target_s: float | None = None,
    target_rows: float | None = None,
    extrapolation: bool = False,
) -> Plot:
    """Time against rows on log axes, the chosen law drawn through (and past) the points."""
    largest = max((max(line.rows) for line in lines if line.rows), default=1.0)
    smallest = min((min(line.rows) for line in lines if line.rows), default=1.0)
    right = max(largest, target_rows or 0.0)

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        span = np.geomspace(smallest, right, 80)
        for position, line in enumerate(lines):
            tint = colour(line.name, position)
            axes.plot(
                np.asarray(line.rows),
                np.asarray(line.seconds) * 1e3,
                "o",
                color=tint,
                label=f"{line.name} (median per size)",
            )
            fitted = np.array([line.predict(float(n)) for n in span]) * 1e3
            # A fit with an intercept can dip to or below zero left of its points;
            # on log axes that is a cliff, not a prediction: draw only where positive.
            fitted[fitted <= 0] = np.nan
            inside = span <= largest
            axes.plot(
                span[inside], fitted[inside], "-", color=tint, label=f"{line.name}: {line.law} law"
            )
            if (~inside).any():
                axes.plot(span[~inside], fitted[~inside], "--", color=tint)
        if target_s is not None:
            axes.axhline(target_s * 1e3, color="black", linewidth=0.7, linestyle=":")
        if target_rows is not None:
            word = "EXTRAPOLATION" if extrapolation else "measured range"
            axes.axvline(target_rows, color="black", linewidth=0.7, linestyle=":")
            axes.annotate(
                f"{target_rows:,.0f} rows ({word})",
                (target_rows, 0.02),
                xycoords=("data", "axes fraction"),
                fontsize=7,
                rotation=90,
                ha="right",
                va="bottom",
            )
        if largest < right:
            axes.axvspan(largest, right, color="#D55E00", alpha=0.08)
        log_axis(axes)
        log_axis(axes, "y")
        axes.set_xlabel("rows in the table the query grows with (log)")
        axes.set_ylabel("median time (ms, log)")
        axes.set_title(title, loc="left")
        axes.legend(loc="upper left", fontsize=7)

    alt = f"{title}: median time against rows for " + ", ".join(
        f"{line.name} ({line.law} law, {len(line.rows)} sizes)" for line in lines
    )
    return render(draw, 3.0, alt)
