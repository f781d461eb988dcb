"""What a fault run writes: ``faults.json`` and the summary table (also docs/records.md's)."""

from __future__ import annotations

from typing import Any

from benchmarks.results import ResultFolder
from loadtests.faults.phases import PHASES
from loadtests.faults.results import ScenarioResult
from portal.files import write_json_atomically, write_text_atomically


def progress_line(result: ScenarioResult) -> str:
    phases = result.split.phases
    counts = ", ".join(
        f"{phase} {phases[phase].failures}/{phases[phase].requests} failed" for phase in PHASES
    )
    verdict = "held" if not result.problems else "BROKE: " + "; ".join(result.problems)
    return f"{counts}; recovered in {result.split.recovery_s:.1f} s; {verdict}"


def table_lines(results: list[dict[str, Any]]) -> list[str]:
    """The summary table (Markdown), from ``faults.json`` entries: also docs/records.md's."""
    lines = [
        "| scenario | failed before | failed during | failed after | slowest failure "
        "| recovered in | stale | books | verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for entry in results:
        phases = entry["phases"]
        slowest = max((phases[p]["failure_max_s"] or 0.0) for p in PHASES)
        broken = sum(len(ids) for ids in entry["book_violations"].values())
        cells = [f"{phases[p]['failures']} / {phases[p]['requests']}" for p in PHASES]
        lines.append(
            f"| {entry['scenario']} | " + " | ".join(cells)
            + f" | {slowest:.2f} s | {entry['recovery_s']:.1f} s | {entry['stale_entries']} "
            f"| {broken} violations | {'held' if entry['passed'] else 'BROKE'} |"
        )  # fmt: skip
    return lines


def write_files(folder: ResultFolder, results: list[ScenarioResult]) -> list[str]:
    entries = [result.as_dict() for result in results]
    said = folder.manifest  # what faults.json repeats of it, for readers of that file alone
    settings = {
        "scales": said.scales,
        "before_s": said.before_s,
        "fault_s": said.fault_s,
        "after_s": said.after_s,
        "rate": said.rate,
        "portal_workers": said.portal_workers,
    }
    write_json_atomically(folder.file("faults.json"), {"settings": settings, "scenarios": entries})
    lines = table_lines(entries)
    for entry in entries:
        lines += [f"{entry['scenario']}: {problem}" for problem in entry["problems"]]
    write_text_atomically(folder.file("summary.txt"), "\n".join(lines) + "\n")
    return lines
