"""Under a load claim judged at several offered rates: the effect against the rate, drawn.

A reader asks "faster at which load?"; a line of intervals across the rates
answers at a glance where the claim holds (``reports/per_rate.py`` judges each
rate on its own units). The claimed range is the shaded band, as on the
effect plot; the verdict's rate is the filled marker.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from reports.page.blocks import Block, Table
from reports.page.figures import CLAIM_COLOUR, Plot, render
from reports.page.formatting import effect
from reports.verdicts import Verdict


def rate_block(verdict: Verdict) -> Block | None:
    """The effect at each offered rate, plotted and tabled; None for a run at one rate."""
    entries = verdict.details.get("by_rate") or []
    if len(entries) < 2:
        return None
    block = Block(title="At each offered rate (--load-rates)")
    measured = [e for e in entries if "value" in e]
    claimed = verdict.claim.claimed
    if measured and claimed is not None:
        block.plots.append(rate_plot(measured, claimed.low, claimed.high, verdict.id))
    block.tables.append(
        Table(
            "The claim at each rate, each on its own paired units",
            ["offered", "share of capacity", "effect [95 % interval]", "units", "verdict"],
            [_row(e) for e in entries],
            note="The verdict above is the rate marked *; each rate's interval uses only its "
            "own units and its own stopping look.",
        )
    )
    return block


def _row(entry: dict[str, Any]) -> list[str]:
    share = "—" if entry["share"] is None else f"{entry['share'] * 100:.0f} %"
    rate = f"{entry['rate']:g}/s" + (" *" if entry["primary"] else "")
    if "missing" in entry:
        return [rate, share, f"no evidence: {entry['missing']}", "—", "no evidence"]
    shown = effect(entry["value"], entry["low"], entry["high"])
    return [rate, share, shown, str(entry["n"]), str(entry["verdict"])]


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
