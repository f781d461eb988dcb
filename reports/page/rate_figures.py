"""The effect against the offered rate, drawn: one interval per rate, the claimed band behind.

Apart from the report's blocks (``reports/page/per_rate.py``), so a team's
target report (``perfproof/targets/report.py``), which reads no portal claims,
draws the same figure.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from reports.page.figures import CLAIM_COLOUR, Plot, render


def rate_plot(
    entries: list[dict[str, Any]], claimed_low: float, claimed_high: float | None, name: str
) -> Plot:
    """Effect (%) against the offered rate (tasks/s), each with its 95 % interval."""
    rates = [float(e["rate"]) for e in entries]
    values = [float(e["value"]) * 100 for e in entries]

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        top = claimed_high * 100 if claimed_high is not None else max(100.0, *values)
        axes.axhspan(claimed_low * 100, top, color=CLAIM_COLOUR, alpha=0.25, label="claimed")
        for entry, rate, value in zip(entries, rates, values, strict=True):
            low, high = entry["low"], entry["high"]
            errors = (
                [[value - low * 100], [high * 100 - value]]
                if low is not None and high is not None
                else None
            )
            fill = "black" if entry["primary"] else "white"
            axes.errorbar([rate], [value], yerr=errors, fmt="o", color="black", mfc=fill,
                          capsize=5)  # fmt: skip
        axes.plot(rates, values, color="black", linewidth=0.8, alpha=0.5)
        axes.set_xlabel("offered rate (tasks/s)")
        axes.set_ylabel("effect (%)")
        axes.legend(loc="best", fontsize=7, frameon=False)

    said = "; ".join(
        f"{r:g}/s: {v:.1f} %"
        + (
            f" [{e['low'] * 100:.1f}, {e['high'] * 100:.1f}]"
            if e["low"] is not None and e["high"] is not None
            else ""
        )
        for e, r, v in zip(entries, rates, values, strict=True)
    )
    return render(draw, 2.4, f"{name}: the effect against the offered rate: {said}")
