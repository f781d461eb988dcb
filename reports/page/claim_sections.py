"""Each claim's section in the report: the data its verdict came from, drawn.

One drawing per :class:`~reports.statistics.Section`, the section each
statistic's row names: the benchmark rounds of both arms, each repetition's
pair, the latency CDFs, the hit ratio warming up, the growth fit, what a
check saw. A drawing reads what the verdict was computed from
(``verdict.rows``, ``verdict.details``) and, for what the verdict did not
need (the latency histograms, the hit ratio per second), the run folder, so
the plot shows all the data and not only the summary the verdict kept; where
the data is not there the block says what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from reports.claims import Claim
from reports.page.blocks import Block, Table
from reports.page.figures import effect_plot, rounds_plot
from reports.page.formatting import effect, milliseconds, number, text
from reports.page.growth import absolute_blocks
from reports.page.histograms import Recordings
from reports.page.load_claims import level_blocks, paired_blocks
from reports.page.per_rate import rate_block
from reports.page.plans import index_check, plans_block
from reports.run_folder import RunFolder
from reports.statistics import Section
from reports.verdicts import Verdict

Drawing = Callable[[Verdict, RunFolder, Recordings | None], list[Block]]


def claim_blocks(verdict: Verdict, run: RunFolder, recordings: Recordings | None) -> list[Block]:
    """What the report shows under one claim's heading."""
    how = verdict.claim.how
    if how is None or verdict.verdict == "not measurable":
        return [Block(notes=[f"Not measurable: {verdict.reason}"])]
    if verdict.verdict == "no evidence":
        return []  # the reason is the verdict's own line; there is nothing to draw
    blocks = SECTIONS[how.section](verdict, run, recordings)
    if how.functional:
        return blocks
    at_rates = rate_block(verdict)
    return [*blocks, interval_block(verdict), *([at_rates] if at_rates else [])]


def interval_block(verdict: Verdict) -> Block:
    """The effect against the claimed range, and how the interval was computed."""
    block = Block(title="The effect against the claim")
    claimed = verdict.claim.claimed
    if verdict.measured is not None and claimed is not None:
        block.plots.append(
            effect_plot(
                verdict.measured,
                verdict.low,
                verdict.high,
                claimed_low=claimed.low,
                claimed_high=claimed.high,
                percent=verdict.percent,
                label=_effect_label(verdict),
            )
        )
    block.facts += [
        ("claimed", verdict.claimed or "—"),
        (
            "measured",
            effect(verdict.measured, verdict.low, verdict.high, as_percent=verdict.percent),
        ),
        ("n", f"{verdict.n} {verdict.unit}" if verdict.n is not None else "—"),
        ("how", verdict.method or "—"),
        ("statistic", verdict.summary or "—"),
    ]
    return block


def _effect_label(verdict: Verdict) -> str:
    return "hit ratio" if verdict.claim.statistic == "level" else "reduction"


def median_blocks(verdict: Verdict, run: RunFolder, recordings: Recordings | None) -> list[Block]:
    """Both arms' rounds, per interleaved block, and the query plans for an index claim."""
    del recordings
    claim = verdict.claim
    scale = str(verdict.details.get("scale", ""))
    rows = verdict.rows if verdict.rows is not None else run.tidy.iloc[0:0]
    arms = {arm: rows[rows["arm"] == arm] for arm in (claim.baseline, claim.candidate)}
    block = Block(title="Every benchmark round, both arms")
    if all(len(frame) for frame in arms.values()):
        block.plots.append(
            rounds_plot(
                {arm: f["value"].astype(float).tolist() for arm, f in arms.items()},
                {arm: f["repetition"].astype(int).tolist() for arm, f in arms.items()},
                title=f"{claim.series[0]} at {scale}",
            )
        )
    table = Table("Per arm", ["arm", "rounds", "median", "mean", "fastest", "slowest"], [])
    for arm, frame in arms.items():
        values = frame["value"].astype(float).to_numpy()
        if len(values):
            table.rows.append(
                [
                    arm,
                    str(len(values)),
                    milliseconds(np.median(values)),
                    milliseconds(values.mean()),
                    milliseconds(values.min()),
                    milliseconds(values.max()),
                ]
            )
    block.tables.append(table)
    speedup = verdict.details.get("speedup")
    block.facts += [
        (
            "data",
            f"scale {scale}: {number(verdict.details.get('rows'))} rows in "
            f"{verdict.details.get('size_table', '—')}",
        ),
        (
            "speed-up of the medians",
            f"{number(speedup)}\N{MULTIPLICATION SIGN}" if speedup is not None else "—",
        ),
    ]
    if claim.suite == "endpoints":
        block.tables.append(_statements_table(run, claim, scale))
    sizes = verdict.details.get("by_size") or []
    if sizes:
        block.tables.append(_sizes_table(sizes, verdict))
    blocks = [block]
    if claim.suite == "queries":
        blocks.append(_plans_for(run, claim))
    return blocks


def _sizes_table(sizes: list[dict[str, Any]], verdict: Verdict) -> Table:
    """The claim at every size its series was measured at (reports/per_size.py)."""
    made_at = verdict.claim.at_rows
    fitted = verdict.details.get("interpolated") or verdict.details.get("extrapolation")
    if made_at is None:
        note = "The verdict above is the run's own scale; these are the growth mode's sizes."
    else:
        how = ", from the growth fit of both arms." if fitted else "."
        note = f"The claim is made at {made_at:,} rows: its verdict above is that size's{how}"
    rows = [
        [number(s["rows"]), str(s["scale"]), effect(s["value"], s["low"], s["high"]), s["verdict"]]
        for s in sizes
    ]
    return Table(
        "Per data size: which sizes meet the claim",
        ["rows", "scale", "reduction [95 % interval]", "verdict"],
        rows,
        note=note,
    )


def _statements_table(run: RunFolder, claim: Claim, scale: str) -> Table:
    """The statements the portal counted per request: measured beside the time, not judged."""
    tidy = run.tidy
    statements = tidy[
        (tidy["suite"] == claim.suite)
        & (tidy["series"] == claim.series[0])
        & (tidy["metric"] == "statements")
        & (tidy["scale"] == scale)
    ]
    table = Table(
        "SQL statements per request (the portal's own counter)", ["arm", "median", "mean"], []
    )
    for arm in (claim.baseline, claim.candidate):
        values = statements[statements["arm"] == arm]["value"].astype(float)
        if len(values):
            table.rows.append([arm, number(float(values.median())), number(float(values.mean()))])
    return table


def _plans_for(run: RunFolder, claim: Claim) -> Block:
    observed = index_check(run)
    why = "no checks.json" if run.checks is None else "the index check recorded none"
    return plans_block(observed, claim.series[0].split("[", 1)[0], why=why)


def check_blocks(verdict: Verdict, run: RunFolder, recordings: Recordings | None) -> list[Block]:
    """What a functional check tried, what it saw, what went wrong."""
    del run, recordings
    block = Block(title="What the check saw")  # what it tried is the verdict's own line
    observed = verdict.details.get("observed") or {}
    shown = [[str(k).replace("_", " "), text(v)] for k, v in observed.items() if k != "plans"]
    table = Table("Observed", ["what", "value"], shown)
    if table.rows:
        block.tables.append(table)
    block.facts.append(("took", f"{number(verdict.details.get('seconds'))} s"))
    blocks = [block]
    if verdict.id == "indexes" or "plans" in observed:
        blocks.append(plans_block(observed, None, why="the index check recorded none"))
    return blocks


SECTIONS: dict[Section, Drawing] = {
    Section.ROUNDS: median_blocks,
    Section.PAIRS: paired_blocks,
    Section.RUNS: level_blocks,
    Section.GROWTH: absolute_blocks,
    Section.CHECK: check_blocks,
}
