"""Requests of a fault run split into before, during and after the fault, and what each phase says.

Pure functions over the timeline the locustfile writes (one row per request:
wall-clock start, route, status, ok, seconds), so they are tested on
synthetic rows with a known answer. A request belongs to the phase in which
it *ended*: a request the fault broke while it was in flight ends after the
fault began and counts there, not in the healthy phase before it.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

PHASES = ("before", "during", "after")
CONNECTION = "connection"  # a request with no answer: refused, reset or timed out


@dataclass(frozen=True)
class Request:
    started: float  # wall clock, seconds
    route: str
    status: int  # 0: no answer
    ok: bool
    seconds: float

    @property
    def ended(self) -> float:
        return self.started + self.seconds

    @classmethod
    def from_row(cls, row: list[Any]) -> Request:
        started, route, status, ok, seconds = row
        return cls(float(started), str(route), int(status), bool(ok), float(seconds))


@dataclass
class PhaseFigures:
    requests: int = 0
    failures: int = 0
    statuses: Counter[str] = field(default_factory=Counter)  # of the failures
    ok_p50_s: float | None = None
    ok_p99_s: float | None = None
    failure_p50_s: float | None = None
    failure_max_s: float | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "failures": self.failures,
            "failure_statuses": dict(self.statuses),
            "ok_p50_s": self.ok_p50_s,
            "ok_p99_s": self.ok_p99_s,
            "failure_p50_s": self.failure_p50_s,
            "failure_max_s": self.failure_max_s,
            "seconds": round(self.seconds, 3),
            "answered_per_s": round((self.requests - self.failures) / self.seconds, 2)
            if self.seconds
            else None,
        }


@dataclass(frozen=True)
class Split:
    phases: dict[str, PhaseFigures]
    # Seconds from the end of the fault to the end of the last failed request after it;
    # 0.0 when nothing failed after the fault ended.
    recovery_s: float
    failed: list[Request]


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def phase_of(request: Request, fault_start: float, fault_end: float) -> str:
    if request.ended < fault_start:
        return "before"
    return "during" if request.ended < fault_end else "after"


def status_name(status: int) -> str:
    return str(status) if status else CONNECTION


def split(
    requests: list[Request], *, start: float, fault_start: float, fault_end: float, end: float
) -> Split:
    """Per-phase figures; ``start``..``end`` is the whole load window, for the rates."""
    grouped: dict[str, list[Request]] = {phase: [] for phase in PHASES}
    for request in requests:
        grouped[phase_of(request, fault_start, fault_end)].append(request)
    bounds = {"before": (start, fault_start), "during": (fault_start, fault_end)}
    bounds["after"] = (fault_end, end)
    phases: dict[str, PhaseFigures] = {}
    for phase, members in grouped.items():
        good = [r.seconds for r in members if r.ok]
        bad = [r.seconds for r in members if not r.ok]
        phases[phase] = PhaseFigures(
            requests=len(members),
            failures=len(bad),
            statuses=Counter(status_name(r.status) for r in members if not r.ok),
            ok_p50_s=_percentile(good, 0.50),
            ok_p99_s=_percentile(good, 0.99),
            failure_p50_s=statistics.median(bad) if bad else None,
            failure_max_s=max(bad) if bad else None,
            seconds=max(0.0, bounds[phase][1] - bounds[phase][0]),
        )
    late_failures = [r.ended for r in grouped["after"] if not r.ok]
    recovery = max(late_failures) - fault_end if late_failures else 0.0
    failed = [r for r in requests if not r.ok]
    return Split(phases, round(max(0.0, recovery), 3), failed)
