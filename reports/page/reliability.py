"""The reliability section: what the fault scenarios (``perfproof faults``) measured, per scenario.

One row per scenario, as ``faults.json`` has it: what was broken, how many
requests failed before, during and after the fault, the slowest failure
(a failure that takes its time is a hang, not a fast 503), the time from the
mend to the last failure, stale cache answers and broken books afterwards,
and whether the scenario held its expectations (``loadtests/faults/scenarios.py``).
"""

from __future__ import annotations

from typing import Any

from loadtests.faults.phases import PHASES
from reports.page.blocks import Block, Table
from reports.page.formatting import MISSING
from reports.run_folder import RunFolder

NOT_RUN = (
    "the fault scenarios did not run in this run (perfproof faults; perfproof bench runs "
    "them in every profile, with the [loadtest] extra)"
)


def _row(entry: dict[str, Any]) -> list[str]:
    phases = entry["phases"]
    slowest = max((phases[p]["failure_max_s"] or 0.0) for p in PHASES)
    books = sum(len(ids) for ids in entry["book_violations"].values())
    failed = [f"{phases[p]['failures']:,} of {phases[p]['requests']:,}" for p in PHASES]
    return [
        entry["scenario"],
        *failed,
        f"{slowest:.2f} s" if slowest else MISSING,
        f"{entry['recovery_s']:.1f} s",
        f"{entry['stale_entries']}",
        f"{books}",
        "held" if entry["passed"] else "BROKE",
    ]


def reliability_blocks(run: RunFolder) -> list[Block]:
    if run.faults is None:
        return [Block(missing=[NOT_RUN])]
    entries: list[dict[str, Any]] = run.faults.get("scenarios", [])
    if not entries:
        return [Block(missing=["faults.json lists no finished scenario"])]
    table = Table(
        caption="Requests that failed, per phase; the slowest failure; the time from the end "
        "of the fault to the last failure; afterwards, cached answers that differ from the "
        "database and broken money invariants",
        headers=["scenario", "failed before", "failed during", "failed after", "slowest failure",
                 "recovered in", "stale answers", "books broken", "verdict"],
        rows=[_row(entry) for entry in entries],
    )  # fmt: skip
    notes = [f"{entry['scenario']}: {entry['summary']}." for entry in entries]
    notes += [
        f"{entry['scenario']} broke: {problem}."
        for entry in entries
        for problem in entry.get("problems", [])
    ]
    settings = run.faults.get("settings", {})
    facts = [
        ("phases", f"{settings.get('before_s', 0):g} s before, {settings.get('fault_s', 0):g} s "
                   f"of fault, {settings.get('after_s', 0):g} s after"),
        ("load", f"the load test's personas, open model, {settings.get('rate', 0):g} tasks/s "
                 f"offered, {settings.get('portal_workers', 0)} portal workers"),
    ]  # fmt: skip
    return [Block(title="Fault scenarios under load", facts=facts, tables=[table], notes=notes)]
