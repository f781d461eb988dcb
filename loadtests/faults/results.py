"""What a fault scenario came back with, and what it broke of its expectations.

``judge`` holds a ``ScenarioResult`` to its scenario's row in
``loadtests/faults/scenarios.py``: pure, so it is tested on synthetic
requests with a known answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from loadtests.faults.phases import PHASES, Split, status_name
from loadtests.faults.scenarios import FaultScenario

SLACK_S = 1.0  # a failure may take the request deadline plus this long to come back


@dataclass
class ScenarioResult:
    scenario: FaultScenario
    marks: dict[str, float]  # wall-clock: load start, fault start, fault end, load end
    split: Split
    stale: list[str]
    books: dict[str, list[int]]
    workers_after: int
    notes: list[str]
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        start = self.marks["load_start"]
        return {
            "scenario": self.scenario.name,
            "summary": self.scenario.summary,
            "passed": not self.problems,
            "problems": self.problems,
            "phases": {phase: self.split.phases[phase].as_dict() for phase in PHASES},
            "recovery_s": self.split.recovery_s,
            "recover_within_s": self.scenario.recover_within_s,
            "fault_s": round(self.marks["fault_end"] - self.marks["fault_start"], 3),
            "marks_s": {name: round(value - start, 3) for name, value in self.marks.items()},
            "stale_entries": len(self.stale),
            "stale_examples": self.stale[:5],
            "book_violations": self.books,
            "workers_after": self.workers_after,
            "notes": self.notes,
            "failure_examples": [
                {
                    "at_s": round(r.started - start, 3),
                    "route": r.route,
                    "status": status_name(r.status),
                    "seconds": r.seconds,
                }
                for r in self.split.failed[:5]
            ],
        }


def judge(result: ScenarioResult, *, deadline_s: float, workers: int) -> list[str]:
    """What a scenario broke of its expectations (``scenarios.py``); empty when it held."""
    problems = _load_problems(result) + _failure_problems(result, deadline_s)
    if result.stale:
        problems.append(f"{len(result.stale)} cached answers differ from the database")
    problems += [f"{rule} broken for {ids}" for rule, ids in result.books.items() if ids]
    if result.workers_after < workers:
        problems.append(f"{result.workers_after} of {workers} workers alive afterwards")
    return problems


def _load_problems(result: ScenarioResult) -> list[str]:
    """A run that was failing before the fault, or never answered, says nothing of the fault."""
    phases = result.split.phases
    problems = []
    if phases["before"].failures:
        problems.append(f"{phases['before'].failures} requests failed before the fault")
    if not phases["before"].requests or not phases["after"].requests - phases["after"].failures:
        problems.append("no request was answered before the fault or after it")
    return problems


def _failure_problems(result: ScenarioResult, deadline_s: float) -> list[str]:
    scenario, phases = result.scenario, result.split.phases
    problems = []
    broken = phases["during"].failures + phases["after"].failures
    if scenario.during == "none" and broken:
        problems.append(f"{broken} requests failed during or after the fault (none may)")
    if scenario.during == "fast":
        slow = [r for r in result.split.failed if r.seconds > deadline_s + SLACK_S]
        if slow:
            problems.append(
                f"{len(slow)} failures took over {deadline_s + SLACK_S:g} s "
                f"(slowest {max(r.seconds for r in slow):.1f} s)"
            )
        odd = sorted({status_name(r.status) for r in result.split.failed} - {"503", "connection"})
        if odd:
            problems.append(f"failures answered {', '.join(odd)}, not 503")
    if result.split.recovery_s > scenario.recover_within_s:
        problems.append(
            f"the last failure came {result.split.recovery_s:.1f} s after the fault ended "
            f"(at most {scenario.recover_within_s:g} s)"
        )
    return problems
