"""Synthetic run folders and samples with known answers, for the gate's tests.

A run folder here is what ``perfproof bench`` writes as far as the gate reads
it: ``manifest.json`` (finished, scales, seed, rows, machine, versions) and
``tidy.csv`` with the columns of ``benchmarks/tidy.py``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.tidy import COLUMNS, write_tidy
from reports.regress.samples import NO_MODEL, SeriesKey
from reports.run_schema import METRICS

MACHINE = {"hostname": "ci-1", "platform": "Linux-x86_64", "cpus": 2, "memory_gib": 8.0}
VERSIONS = {"python": "3.11.7", "fastapi": "0.165.0"}
ROWS = {"tiny": {"orders": 5000, "users": 200}}


def manifest(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "finished": True,
        "started_at": "2026-12-02T00:00:00+00:00",
        "ended_at": "2026-12-02T00:01:00+00:00",
        "git_commit": "0123456789abcdef",
        "versions": dict(VERSIONS),
        "machine": dict(MACHINE),
        "profile": "quick",
        "scales": ["tiny"],
        "seed": 1,
        "dataset_rows": ROWS,
    }
    return {**base, **changes}


def round_rows(
    run: str, suite: str, series: str, arm: str, values: Sequence[float], scale: str = "tiny"
) -> list[dict[str, Any]]:
    """Benchmark rounds of one series and arm, split over two blocks as the runner does."""
    half = (len(values) + 1) // 2
    return [
        {
            "run": run,
            "suite": suite,
            "series": series,
            "operation": series.split("[")[0],
            "variant": "heavy",
            "arm": arm,
            "cache": "-",
            "warm": "-",
            "indexes": "on",
            "scale": scale,
            "size_table": "orders",
            "rows": 5000,
            "repetition": 1 if number < half else 2,
            "round": number % half,
            "metric": "time",
            "value": value,
            "unit": "s",
        }
        for number, value in enumerate(values)
    ]


def with_references(
    rows: Sequence[Mapping[str, Any]], reference: float = 0.0004
) -> list[dict[str, Any]]:
    """Each time row and, beside it, its round's reference call (``benchmarks/reference.py``):
    ``reference`` seconds times the round's machine factor, the row's ``machine`` (default 1)."""
    found: list[dict[str, Any]] = []
    for row in rows:
        machine = float(row.get("machine", 1.0))
        plain = {key: value for key, value in row.items() if key != "machine"}
        found.append(plain)
        if row["metric"] == "time":
            found.append({**plain, "metric": "reference", "value": reference * machine})
    return found


def load_rows(
    run: str,
    route: str,
    arm: str,
    model: str,
    metric: str,
    values: Sequence[float],
    scale: str = "tiny",
) -> list[dict[str, Any]]:
    """One per-run load figure, one value per repetition, in the metric's declared unit."""
    return [
        {
            "run": run,
            "suite": "load",
            "series": route,
            "operation": route,
            "variant": model,
            "arm": arm,
            "cache": "on",
            "warm": "-",
            "indexes": "on",
            "scale": scale,
            "size_table": "orders",
            "rows": 5000,
            "repetition": repetition,
            "round": 0,
            "metric": metric,
            "value": value,
            "unit": METRICS[metric].kind.unit,
        }
        for repetition, value in enumerate(values, start=1)
    ]


def write_run(folder: Path, rows: Sequence[Mapping[str, Any]], **manifest_changes: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(manifest(**manifest_changes)))
    write_tidy(folder / "tidy.csv", rows)
    return folder


def query_key(series: str = "orders.list_for_user[heavy]", arm: str = "indexed") -> SeriesKey:
    return SeriesKey("queries", series, arm, NO_MODEL, "time", "tiny")


def lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> list[float]:
    return [float(v) for v in rng.lognormal(np.log(median), sigma, n)]


__all__ = ["COLUMNS", "load_rows", "manifest", "round_rows", "with_references", "write_run"]
