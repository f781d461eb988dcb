"""What ``perfproof bench`` prints at the end: medians per series and arm, from the tidy table.

An arm's median pools the raw rounds of both its blocks (the arms run
interleaved, in blocks, with the same rounds in each). This is the
terminal's short version of what the tidy table holds.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from benchmarks.arms import ENDPOINT_ARMS, INDEX_ARM_LABEL
from benchmarks.growth import MIN_SIZES
from portal.datagen import SCALES


def _order(key: tuple[str, str]) -> tuple[int, str]:
    scale, series = key
    return (list(SCALES).index(scale) if scale in SCALES else len(SCALES), series)


def _pooled(
    rows: Iterable[Mapping[str, Any]], suite: str, metric: str
) -> dict[tuple[str, str, str], list[float]]:
    pooled: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for row in rows:
        if row["suite"] == suite and row["metric"] == metric:
            pooled[(row["scale"], row["series"], row["arm"])].append(float(row["value"]))
    return pooled


def _ms(values: list[float] | None) -> str:
    return f"{statistics.median(values) * 1e3:9.3f}" if values else f"{'-':>9}"


def query_lines(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    times = _pooled(rows, "queries", "time")
    on, off = INDEX_ARM_LABEL["on"], INDEX_ARM_LABEL["off"]
    lines = [f"{'scale':<7}{'query series (ms)':<42} {on:>9} {off:>9} {'ratio':>7}"]
    for scale, series in sorted({(scale, series) for scale, series, _ in times}, key=_order):
        fast, slow = times.get((scale, series, on)), times.get((scale, series, off))
        ratio = statistics.median(slow) / statistics.median(fast) if fast and slow else None
        shown = f"{ratio:6.1f}x" if ratio else f"{'-':>7}"
        lines.append(f"{scale:<7}{series:<42} {_ms(fast)} {_ms(slow)} {shown}")
    return lines


def endpoint_lines(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    times = _pooled(rows, "endpoints", "time")
    statements = _pooled(rows, "endpoints", "statements")
    arms = [arm.name for arm in ENDPOINT_ARMS]
    header = "".join(f" {arm.label:>11}" for arm in ENDPOINT_ARMS)
    lines = [f"{'scale':<7}{'endpoint series (ms; statements)':<44}{header}"]
    for scale, series in sorted({(scale, series) for scale, series, _ in times}, key=_order):
        cells = []
        for name in arms:
            measured = times.get((scale, series, name))
            counted = statements.get((scale, series, name))
            count = f";{statistics.median(counted):g}" if counted else ""
            cells.append(f" {(_ms(measured).strip() + count):>11}")
        lines.append(f"{scale:<7}{series:<44}{''.join(cells)}")
    return lines


def growth_lines(analysis: Mapping[str, Any]) -> list[str]:
    lines = [f"{'growth series':<44} {'indexes':>7} {'law':>9} {'k':>6} {'R²':>6}"]
    for fitted in analysis["series"].values():
        chosen = fitted["chosen"]
        lines.append(
            f"{fitted['series']:<44} {fitted['indexes']:>7} {chosen['law']:>9} "
            f"{fitted['power_exponent_k']:6.2f} {chosen['r2']:6.3f}"
        )
    if not analysis["series"]:
        lines.append(f"(no series measured at {MIN_SIZES} or more data sizes: nothing to fit)")
    absolute = analysis["absolute"]
    target = absolute.get("target_unindexed_s")
    lines.append(f"{f'{target:g} s' if target else 'before -> after'} claim: {absolute['note']}")
    return lines
