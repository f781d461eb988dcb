"""Under a load claim judged at several offered rates: the effect against the rate, drawn.

A reader asks "faster at which load?"; a line of intervals across the rates
answers at a glance where the claim holds (``reports/per_rate.py`` judges each
rate on its own units). The claimed range is the shaded band, as on the
effect plot; the verdict's rate is the filled marker.
"""

from __future__ import annotations

from typing import Any

from reports.page.blocks import Block, Table
from reports.page.formatting import effect
from reports.page.rate_figures import rate_plot
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
