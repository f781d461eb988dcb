"""The tidy table: one row per measured value, the one format every suite writes.

pytest-benchmark's JSON keeps the raw round timings with machine and commit
info (``pytest-benchmark compare`` reads it); this table flattens them, and
what each round recorded beside its time, into rows a report, a gate or a
person loads in one line (``pandas.read_csv("tidy.csv")``):

    run, suite, series, operation, variant, arm, cache, warm, indexes, scale,
    size_table, rows, repetition, round, metric, value, unit

``repetition`` is the block of an interleaved arm (``benchmarks/arms.py``),
``round`` the round within it; ``rows`` is the size of ``size_table``, the
table the series' cost grows with. Metrics: ``time`` (s, one per round),
``statements`` (SQL statements of one request, endpoints), ``cache_hit``
(1 when the round answered ``X-Cache: HIT``, endpoints), ``reference`` (s, the
reference call timed just before the round: ``benchmarks/reference.py``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from portal.files import write_csv_atomically

COLUMNS = (
    "run",
    "suite",
    "series",
    "operation",
    "variant",
    "arm",
    "cache",
    "warm",
    "indexes",
    "scale",
    "size_table",
    "rows",
    "repetition",
    "round",
    "metric",
    "value",
    "unit",
)


def observations(document: Mapping[str, Any], *, run: str) -> Iterator[dict[str, Any]]:
    """The rows of one pytest-benchmark JSON document whose benchmarks carry our extra_info."""
    for bench in document["benchmarks"]:
        info = bench["extra_info"]
        if "suite" not in info:
            continue
        base = {
            "run": run,
            "suite": info["suite"],
            "series": info["series"],
            "operation": info["operation"],
            "variant": info["variant"],
            "arm": info["arm"],
            "cache": info["cache"],
            "warm": info["warm"],
            "indexes": info["indexes"],
            "scale": info["scale"],
            "size_table": info["size_table"],
            "rows": info["size_rows"],
            "repetition": info["block"],
        }
        for number, seconds in enumerate(bench["stats"].get("data") or ()):
            yield {**base, "round": number, "metric": "time", "value": seconds, "unit": "s"}
        for number, count in enumerate(info.get("statements") or ()):
            yield {**base, "round": number, "metric": "statements", "value": count, "unit": "1"}
        for number, answer in enumerate(info.get("x_cache") or ()):
            hit = 1 if answer == "HIT" else 0
            yield {**base, "round": number, "metric": "cache_hit", "value": hit, "unit": "1"}
        for number, seconds in enumerate(info.get("reference") or ()):
            yield {**base, "round": number, "metric": "reference", "value": seconds, "unit": "s"}


def write_tidy(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    write_csv_atomically(path, COLUMNS, rows)


def read_tidy(path: Path) -> list[dict[str, Any]]:
    """The table back, with numbers as numbers (for code without pandas)."""
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["value"] = float(row["value"])
        for name in ("rows", "repetition", "round"):
            row[name] = int(row[name])
    return rows
