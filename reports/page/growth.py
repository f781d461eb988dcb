"""The growth mode in the report: time against rows per series, the fitted laws, the answer to
the claims file's "before → after" times (the seed's 1.3 s).

A law fitted over a few sizes says little beyond them, so the plot draws it
solid across the measured sizes and dashed past them, and any answer taken
from the dashed part is marked EXTRAPOLATION in words as well as on the
axis. The laws are rebuilt from ``growth.json`` (their parameters are
there), not refitted: the report draws what the run decided.
"""

from __future__ import annotations

from typing import Any

from benchmarks.growth import Fit, best_fit
from reports.page.blocks import Block, Table
from reports.page.figures import GrowthLine, growth_plot
from reports.page.formatting import milliseconds, number
from reports.page.histograms import Recordings
from reports.run_folder import RunFolder
from reports.verdicts import Verdict

ARM_NAMES = {"on": "indexed", "off": "unindexed"}


def _fit(document: dict[str, Any]) -> Fit:
    return Fit(
        str(document["law"]),
        float(document["a"]),
        float(document["b"]),
        float(document["r2"]),
        tuple(document.get("residuals_s", ())),
        float(document["aic"]),
    )


def growth_blocks(run: RunFolder) -> list[Block]:
    """One block per growth series: the plot and its laws; what is missing otherwise."""
    if run.growth is None:
        planned = run.manifest.growth_scales or []
        why = (
            f"growth.json is missing although the growth mode was planned over {', '.join(planned)}"
            if planned
            else "this run did not use the growth mode (perfproof bench --scaling, or the "
            "default or full profile)"
        )
        return [Block(missing=[f"Growth curves: {why}."])]
    by_series: dict[str, dict[str, dict[str, Any]]] = {}
    for entry in run.growth.get("series", {}).values():
        by_series.setdefault(str(entry["series"]), {})[str(entry["indexes"])] = entry
    blocks = [_series_block(name, arms) for name, arms in sorted(by_series.items())]
    blocks.append(_absolute_answer(run.growth.get("absolute") or {}))
    if not by_series:
        blocks[0].missing.append("Growth curves: no series was measured at enough data sizes.")
    return blocks


def _series_block(name: str, arms: dict[str, dict[str, Any]]) -> Block:
    lines = []
    table = Table(
        "Fitted laws",
        ["arm", "sizes", "law", "formula (seconds, n rows)", "R²", "power-law exponent k"],
        [],
    )
    for indexes in ("on", "off"):
        entry = arms.get(indexes)
        if entry is None:
            continue
        fit = _fit(entry["chosen"])
        points = entry["points"]
        lines.append(
            GrowthLine(
                ARM_NAMES[indexes],
                [float(p["rows"]) for p in points],
                [float(p["median_s"]) for p in points],
                fit.law,
                fit.predict,
            )
        )
        table.rows.append(
            [
                ARM_NAMES[indexes],
                str(len(points)),
                fit.law,
                fit.formula(),
                number(fit.r2),
                number(entry.get("power_exponent_k")),
            ]
        )
    block = Block(title=name, tables=[table])
    if lines:
        block.plots.append(growth_plot(lines, title=name))
    return block


def _seconds(value: Any) -> str:
    """The claims file's "before" time as its reader wrote it: 1.3 s."""
    return f"{value:g} s" if isinstance(value, int | float) else "the claimed time"


def _absolute_answer(answer: dict[str, Any]) -> Block:
    target = answer.get("target_unindexed_s")
    block = Block(title=f"At what size would the unindexed query take {_seconds(target)}?")
    kind = str(answer.get("kind", "no evidence"))
    note = str(answer.get("note") or "not answered")
    if kind == "extrapolation" and not note.startswith("EXTRAPOLATION"):
        note = f"EXTRAPOLATION: {note}"
    block.notes.append(note)
    block.facts += [
        ("answer", kind),
        ("orders rows", number(answer.get("orders_rows"))),
        ("largest measured", number(answer.get("largest_measured_rows"))),
        ("indexed query there", milliseconds(answer.get("indexed_s"))),
        ("claimed indexed", milliseconds(answer.get("claimed_indexed_s"))),
    ]
    return block


def absolute_blocks(verdict: Verdict, run: RunFolder, recordings: Recordings | None) -> list[Block]:
    """The growth fit a "before → after" verdict stands on, drawn out to the size it was judged
    at."""
    claim = verdict.claim
    del recordings, run
    details = verdict.details
    extrapolation = bool(details.get("extrapolation"))
    lines = []
    for indexes in ("on", "off"):
        points = details.get("points", {}).get(indexes, [])
        rows = [float(p["rows"]) for p in points]
        seconds = [float(p["median_s"]) for p in points]
        if len(rows) >= 2:
            fit = best_fit(rows, seconds)
            lines.append(GrowthLine(ARM_NAMES[indexes], rows, seconds, fit.law, fit.predict))
    target = _seconds(details.get("target_unindexed_s"))
    block = Block(title=f"The growth fit, out to where the unindexed query takes {target}")
    if lines:
        block.plots.append(
            growth_plot(
                lines,
                title=claim.series[0],
                target_s=details.get("target_unindexed_s"),
                target_rows=details.get("orders_rows"),
                extrapolation=extrapolation,
            )
        )
    if extrapolation:
        block.notes.append(
            f"EXTRAPOLATION: judged at {number(details.get('orders_rows'))} orders, beyond the "
            f"largest size measured ({number(details.get('largest_measured_rows'))})."
        )
    block.facts += [
        ("unindexed target", milliseconds(details.get("target_unindexed_s"))),
        ("at orders rows", number(details.get("orders_rows"))),
        ("indexed there (fitted)", milliseconds(details.get("indexed_s"))),
        (f"resamples never reaching {target}", number(details.get("resamples_never_reaching"))),
    ]
    for indexes, law in details.get("laws", {}).items():
        block.facts.append(
            (
                f"{ARM_NAMES.get(indexes, indexes)} law",
                f"{law['law']}: {law['formula']} (R² {number(law['r2'])})",
            )
        )
    return [block]
