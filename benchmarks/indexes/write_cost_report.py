"""Presenting the write cost: a text table, CSV and JSON, one row per table and insert shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.indexes.write_cost import WriteCost, WriteCostReport
from portal.files import write_csv_atomically, write_json_atomically

CSV_COLUMNS = (
    "table",
    "shape",
    "rows",
    "indexes",
    "rows_per_s_on",
    "rows_per_s_off",
    "ratio",
    "cost_percent",
    "runs_on",
    "runs_off",
)


def cost_row(result: WriteCost) -> dict[str, Any]:
    return {
        "table": result.table,
        "shape": result.shape,
        "rows": result.rows,
        "indexes": result.indexes,
        "rows_per_s_on": round(result.on_rate),
        "rows_per_s_off": round(result.off_rate),
        "ratio": round(result.ratio, 3),
        "cost_percent": round(result.cost_percent, 1),
        "runs_on": " ".join(str(round(rate)) for rate in result.on_rates),
        "runs_off": " ".join(str(round(rate)) for rate in result.off_rates),
    }


def write_csv(report: WriteCostReport, path: Path) -> None:
    write_csv_atomically(path, CSV_COLUMNS, (cost_row(result) for result in report.results))


def write_json(report: WriteCostReport, path: Path) -> None:
    payload = {
        "rows": report.rows,
        "repetitions": report.repetitions,
        "method": "inserts in a rolled-back transaction, arms interleaved, median rows/s",
        "results": [
            cost_row(result) | {"runs_on": result.on_rates, "runs_off": result.off_rates}
            for result in report.results
        ],
    }
    write_json_atomically(path, payload)


def to_text(report: WriteCostReport) -> str:
    header = (
        f"{'table':<20} {'shape':<7} {'indexes':>7} {'indexed rows/s':>15} "
        f"{'bare rows/s':>12} {'ratio':>6} {'slower by':>9}"
    )
    lines = [header, "-" * len(header)]
    for result in report.results:
        lines.append(
            f"{result.table:<20} {result.shape:<7} {result.indexes:>7} {result.on_rate:>15,.0f} "
            f"{result.off_rate:>12,.0f} {result.ratio:>6.2f} {result.cost_percent:>8.1f}%"
        )
    lines.append("")
    lines.append(
        f"{report.rows:,} rows per insert run, median of {report.repetitions} runs per arm, "
        "arms interleaved, every run rolled back"
    )
    return "\n".join(lines)
