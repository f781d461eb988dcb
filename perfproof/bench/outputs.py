"""The tables of a ``perfproof bench`` run: ``tidy.csv``, ``growth.json``, ``summary.txt``.

Written from whatever the steps left, however the run ended (the run
lifecycle, ``benchmarks/run_lifecycle.py``, calls :func:`write_tables`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.growth import MIN_SIZES
from benchmarks.results import ResultFolder
from benchmarks.scaling import AbsoluteGoal, analyse
from benchmarks.summary import endpoint_lines, growth_lines, query_lines
from benchmarks.tidy import observations, read_tidy, write_tidy
from perfproof.bench.plan import LOAD, Step
from portal.files import write_json_atomically, write_text_atomically
from reports.claims import ClaimsFile
from reports.series import growth_series


def load_folder(folder: ResultFolder) -> Path | None:
    found = sorted((folder.path / LOAD).glob("*/manifest.json"))
    return found[-1].parent if found else None


def absolute_goal(claims: ClaimsFile) -> AbsoluteGoal | None:
    """The "before → after" times the growth mode answers for: the claims file's first
    ``absolute_reduction`` claim (the seed's: the orders query, 1.3 s → 0.2 s)."""
    for claim in claims.claims:
        if claim.statistic == "absolute_reduction" and claim.before_s and claim.after_s:
            return AbsoluteGoal(claim.series[0], claim.before_s, claim.after_s)
    return None


def write_tables(
    folder: ResultFolder, steps: list[Step], goal: AbsoluteGoal | None = None
) -> list[str]:
    """tidy.csv from every step's JSON that exists, growth.json, summary.txt; the summary."""
    rows: list[dict[str, Any]] = []
    run_id = folder.path.name
    for step in steps:
        path = folder.path / f"{step.name}.json"
        if path.exists():
            rows += observations(json.loads(path.read_text()), run=run_id)
    load = load_folder(folder)
    if load is not None and (load / "tidy.csv").exists():
        rows += [{**row, "run": run_id} for row in read_tidy(load / "tidy.csv")]
    write_tidy(folder.file("tidy.csv"), rows)
    lines: list[str] = []
    if any(row["suite"] == "queries" for row in rows):
        lines += ["Queries, indexed vs unindexed (medians of every round of both blocks):"]
        lines += query_lines(rows)
    if any(row["suite"] == "endpoints" for row in rows):
        lines += ["", "Endpoints, in-process portal (median ms; statements per request):"]
        lines += endpoint_lines(rows)
    if any(step.growth_only for step in steps) or len({row["scale"] for row in rows}) >= MIN_SIZES:
        analysis = analyse(rows, set(growth_series()), goal)
        write_json_atomically(folder.file("growth.json"), analysis)
        lines += ["", "Growth with the data (fitted over the sizes measured):"]
        lines += growth_lines(analysis)
    if load is not None and (load / "summary.txt").exists():
        lines += ["", f"Load tests ({load.relative_to(folder.path)}):"]
        lines += (load / "summary.txt").read_text().splitlines()[1:]
    write_text_atomically(folder.file("summary.txt"), "\n".join(lines) + "\n")
    return lines
