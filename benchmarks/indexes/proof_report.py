"""Presenting an index proof: a text table for the terminal, CSV and JSON for the report.

One row per index; the CSV and JSON carry everything (query, parameters, every
run), the text table what fits on a screen.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.indexes.proof import IndexProof, ProofReport
from portal.files import write_csv_atomically, write_json_atomically

CSV_COLUMNS = (
    "index",
    "operation",
    "table",
    "used",
    "plan_on",
    "plan_off",
    "cost_on",
    "cost_off",
    "ms_on",
    "ms_off",
    "speedup",
    "redundant",
    "query",
    "params",
)


def proof_row(proof: IndexProof) -> dict[str, Any]:
    """The flat record of one index (the CSV row)."""
    return {
        "index": proof.index,
        "operation": proof.operation,
        "table": proof.table,
        "used": "yes" if proof.used else "no",
        "plan_on": proof.on.plan,
        "plan_off": proof.off.plan,
        "cost_on": round(proof.on.estimated_cost, 2),
        "cost_off": round(proof.off.estimated_cost, 2),
        "ms_on": round(proof.on.actual_ms, 3),
        "ms_off": round(proof.off.actual_ms, 3),
        "speedup": round(proof.speedup, 2),
        "redundant": str(proof.redundant) if proof.redundant else "",
        "query": proof.query,
        "params": json.dumps(proof.params, default=str, sort_keys=True),
    }


def write_csv(report: ProofReport, path: Path) -> None:
    write_csv_atomically(path, CSV_COLUMNS, (proof_row(proof) for proof in report.proofs))


def write_json(report: ProofReport, path: Path) -> None:
    payload = {
        "repetitions": report.repetitions,
        "planner_settings": report.planner_settings,
        "timing": "EXPLAIN ANALYZE Execution Time, median, ms",
        "unused": report.unused,
        "redundant": [asdict(item) for item in report.redundant],
        "indexes": [asdict(proof) for proof in report.proofs],
    }
    write_json_atomically(path, payload)


_TEXT_COLUMNS = (
    ("index", "index", "<"),
    ("operation", "operation", "<"),
    ("used", "used", "<"),
    ("plan with the indexes on", "plan_on", "<"),
    ("cost on", "cost_on", ">"),
    ("cost off", "cost_off", ">"),
    ("ms on", "ms_on", ">"),
    ("ms off", "ms_off", ">"),
    ("speed-up", "speedup", ">"),
)
_PLAN_WIDTH = 60


def to_text(report: ProofReport) -> str:
    """The table, then what needs attention: unused and redundant indexes."""
    rows = []
    for proof in report.proofs:
        record = proof_row(proof)
        # An unused index: show, in parentheses, how the plan read the table instead.
        plan = str(record["plan_on"] if proof.used else f"({record['plan_on']})")
        record["plan_on"] = plan if len(plan) <= _PLAN_WIDTH else plan[: _PLAN_WIDTH - 1] + "…"
        record["speedup"] = f"{proof.speedup:.1f}x"
        rows.append({key: str(record[key]) for _, key, _ in _TEXT_COLUMNS})
    widths = [
        max(len(title), *(len(row[key]) for row in rows)) if rows else len(title)
        for title, key, _ in _TEXT_COLUMNS
    ]
    lines = [
        "  ".join(
            f"{title:{align}{w}}"
            for (title, _, align), w in zip(_TEXT_COLUMNS, widths, strict=True)
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(
                f"{row[key]:{align}{w}}"
                for (_, key, align), w in zip(_TEXT_COLUMNS, widths, strict=True)
            )
        )
    settings = ", ".join(f"{k}={v}" for k, v in report.planner_settings.items()) or "defaults"
    lines.append("")
    lines.append(
        f"{len(report.proofs)} index(es); times: EXPLAIN ANALYZE execution, median of "
        f"{report.repetitions}; planner settings: {settings}"
    )
    extra = [
        f"{proof.index} "
        + ", ".join(
            f"{k}={v}" for k, v in proof.settings.items() if k not in report.planner_settings
        )
        for proof in report.proofs
        if proof.settings.keys() - report.planner_settings.keys()
    ]
    if extra:
        lines.append(f"probes with settings of their own: {'; '.join(extra)}")
    lines.append(f"unused: {', '.join(report.unused) or 'none'}")
    lines.append(f"redundant: {'; '.join(map(str, report.redundant)) or 'none'}")
    return "\n".join(lines)
