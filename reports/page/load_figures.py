"""The load tests' plots: each repetition's pair, latency CDFs, the hit ratio per second.

Split from ``figures.py`` (which keeps the shared rendering, palette
and the benchmark plots) along the report's own seam: these draw what the
load runs recorded, where the unit of evidence is a whole repetition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from reports.page.figures import CLAIM_COLOUR, PALETTE, Plot, colour, log_axis, render


def pairs_plot(
    pairs: Sequence[tuple[str, float, float]],
    *,
    baseline: str,
    candidate: str,
    ylabel: str,
    title: str = "",
    factor: float = 1.0,
) -> Plot:
    """Each repetition's baseline and candidate, joined: the pairs the interval is over."""

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        for position, (label, base, cand) in enumerate(pairs):
            # grey joins: the arms own the colours, a repetition is told by its label
            style = ("-", "--", ":", "-.")[position % 4]
            axes.plot([0, 1], [base * factor, cand * factor], style, color="#777777", alpha=0.8)
            axes.annotate(
                label,
                (1, cand * factor),
                xytext=(6, 0),
                textcoords="offset points",
                fontsize=7,
                va="center",
            )
        axes.scatter(
            [0] * len(pairs),
            [p[1] * factor for p in pairs],
            color=colour(baseline),
            zorder=3,
            label=baseline,
        )
        axes.scatter(
            [1] * len(pairs),
            [p[2] * factor for p in pairs],
            color=colour(candidate, 1),
            zorder=3,
            label=candidate,
        )
        axes.set_xticks([0, 1], [baseline, candidate])
        axes.set_xlim(-0.3, 1.6)
        axes.set_ylim(0, max(max(p[1], p[2]) for p in pairs) * factor * 1.12 if pairs else 1)
        axes.set_ylabel(ylabel)
        axes.set_title(
            title or f"{len(pairs)} paired load runs (one line per repetition)", loc="left"
        )

    alt = f"{ylabel}, {baseline} against {candidate}, per repetition: " + "; ".join(
        f"{label}: {base * factor:.3g} to {cand * factor:.3g}" for label, base, cand in pairs
    )
    return render(draw, 2.6, alt)


def cdf_plot(
    curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    *,
    title: str,
    counts: Mapping[str, int] | None = None,
) -> Plot:
    """Latency CDFs (seconds -> fraction of requests at or below), a log time axis in ms."""

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        for position, (name, (seconds, fractions)) in enumerate(curves.items()):
            label = f"{name} (n = {counts[name]:,})" if counts and name in counts else name
            axes.step(
                np.asarray(seconds) * 1e3,
                fractions,
                where="post",
                label=label,
                color=colour(name, position),
            )
        for level in (0.5, 0.9, 0.99):
            axes.axhline(level, color="grey", linewidth=0.6, linestyle=":")
            axes.annotate(
                f"p{level * 100:g}",
                (1.0, level),
                xycoords=("axes fraction", "data"),
                fontsize=7,
                va="bottom",
                ha="right",
                color="grey",
            )
        log_axis(axes)
        axes.set_ylim(0, 1.01)
        axes.set_xlabel("latency (ms, log scale)")
        axes.set_ylabel("fraction of requests ≤ latency")
        axes.set_title(title, loc="left")
        axes.legend(loc="lower right", fontsize=7)

    return render(draw, 2.8, f"{title}: latency distribution of " + ", ".join(curves))


def hit_ratio_plot(
    lines: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    *,
    warmup_s: float | None,
    claimed_low: float | None = None,
    claimed_high: float | None = None,
) -> Plot:
    """X-Cache hit ratio per second of each run, the warm-up shaded: the cache warming up."""

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        if claimed_low is not None:
            axes.axhspan(
                claimed_low * 100,
                (claimed_high or 1.0) * 100,
                color=CLAIM_COLOUR,
                alpha=0.25,
                label="claimed",
            )
        if warmup_s:
            axes.axvspan(
                -0.5, warmup_s - 0.5, color="#F0E442", alpha=0.25, label="warm-up (not counted)"
            )
        for position, (name, (seconds, ratios)) in enumerate(lines.items()):
            axes.plot(
                seconds,
                np.asarray(ratios) * 100,
                "o-",
                markersize=3,
                label=name,
                color=PALETTE[(position + 4) % len(PALETTE)],
            )
        axes.set_ylim(0, 100)
        axes.set_xlabel("second of the run (warm-up included)")
        axes.set_ylabel("hit ratio (%)")
        axes.legend(loc="lower right", fontsize=7, ncols=2)

    return render(draw, 2.6, "hit ratio per second of " + ", ".join(lines))
