"""Every benchmark series at a glance: queries indexed against unindexed, endpoints per cache arm.

The claims pick a few series; a reader checking the write-up wants the rest
too (is the orders claim one lucky series among many that did nothing?).
Medians of the rounds, in ms, with the rounds counted; the endpoint table
adds the SQL statements each request issued, the portal's own count.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reports.page.blocks import Block, Table
from reports.page.formatting import milliseconds, number

QUERY_ARMS = ("indexed", "unindexed")
TIMES = "\N{MULTIPLICATION SIGN}"
ENDPOINT_ARMS = ("hit", "miss", "uncached", "uncached-unindexed")


Key = tuple[str, str, str]  # scale, series, arm


def _by_arm(rows: pd.DataFrame, how: str) -> dict[Key, float]:
    """(scale, series, arm) -> the ``how`` ("median", "mean", "size") of the values."""
    grouped = rows.groupby(["scale", "series", "arm"])["value"].agg(how)
    return {_key(key): float(value) for key, value in grouped.to_dict().items()}


def _key(key: Any) -> Key:
    scale, series, arm = (str(part) for part in key)
    return scale, series, arm


def benchmark_blocks(tidy: pd.DataFrame) -> list[Block]:
    if tidy.empty:
        return [Block(missing=["Benchmarks: the tidy table is empty (no suite ran to the end)."])]
    blocks = [_queries(tidy), _endpoints(tidy)]
    return blocks


def _queries(tidy: pd.DataFrame) -> Block:
    rows = tidy[(tidy["suite"] == "queries") & (tidy["metric"] == "time")]
    block = Block(title="Queries: indexes on against off (every series)")
    if rows.empty:
        block.missing.append("Query suite: not in this run.")
        return block
    medians, rounds = _by_arm(rows, "median"), _by_arm(rows, "size")
    sizes = {
        (str(r["scale"]), str(r["series"])): f"{number(int(r['rows']))} {r['size_table']}"
        for r in rows.drop_duplicates(["scale", "series"]).to_dict("records")
    }
    table = Table(
        "Median time of one call (rounds per arm in brackets)",
        ["scale", "series", "rows", "indexed", "unindexed", "speed-up"],
        [],
    )
    for (scale, series), size in sorted(sizes.items()):
        on, off = ((scale, series, arm) for arm in QUERY_ARMS)
        cells = [
            f"{milliseconds(medians[key])} ({int(rounds[key])})" if key in medians else "—"
            for key in (on, off)
        ]
        speedup = (
            number(medians[off] / medians[on]) + TIMES if on in medians and off in medians else "—"
        )
        table.rows.append([scale, series, size, *cells, speedup])
    table.note = "Speed-up: unindexed median / indexed median; above 1 the index helps."
    block.tables.append(table)
    return block


def _endpoints(tidy: pd.DataFrame) -> Block:
    rows = tidy[tidy["suite"] == "endpoints"]
    block = Block(title="Endpoints in-process: each cache arm (every series)")
    if rows.empty:
        block.missing.append("Endpoint suite: not in this run.")
        return block
    times = _by_arm(rows[rows["metric"] == "time"], "median")
    statements = _by_arm(rows[rows["metric"] == "statements"], "mean")
    arms = [arm for arm in ENDPOINT_ARMS if arm in set(rows["arm"])]
    table = Table(
        "Median time of one request · SQL statements per request (mean)",
        ["scale", "series", *arms],
        [],
    )
    for scale, series in sorted({(s, n) for s, n, _ in times}):
        cells = []
        for arm in arms:
            key = (scale, series, arm)
            said = number(statements.get(key), 2)
            cells.append(f"{milliseconds(times[key])} · {said} st." if key in times else "—")
        table.rows.append([scale, series, *cells])
    block.tables.append(table)
    return block
