"""One load run (an arm, a repetition, a model) as it came back, and the facts the guard judges."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from loadtests.arms import LoadArm, Model, NamedArm
from loadtests.guard import RunFacts
from loadtests.recorder import Recorder


@dataclass
class ArmRun:
    """One arm, one repetition, one model: what came back."""

    arm: LoadArm | NamedArm
    model: Model
    repetition: int
    offered_rps: float | None
    recorded: dict[str, Recorder]  # by phase: warmup, measured
    servers: dict[str, Any]  # evidence delta
    cpu: dict[str, float]
    portal_statements: float | None
    generator_processes: int
    server_died: bool
    seconds: float
    # Figures already computed from the recording (``loadtests/watch.py``): a sequential
    # run asks for them after every unit, and merging HDR histograms is not free.
    figures: dict[tuple[str, tuple[str, ...]], float | None] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def name(self) -> str:
        return f"{self.model}-{self.arm.name}-{self.repetition}"

    def facts(self) -> RunFacts:
        measured = self.recorded["measured"]
        requests = sum(r.requests for r in measured.routes.values())
        return RunFacts(
            arm=self.arm.name,
            model=self.model,
            requests=requests,
            failures=sum(r.failures for r in measured.routes.values()),
            scheduled=measured.scheduled,
            late=measured.late,
            generator_cpu=self.cpu.get("generator", 0.0),
            generator_processes=self.generator_processes,
            server_died=self.server_died,
            achieved_rps=requests / self.seconds if self.seconds else 0.0,
            offered_rps=self.offered_rps,
        )
