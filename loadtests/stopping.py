"""When a sequential run of paired units stops: the looks, the budget, the record of both.

Kept apart from the portal's runner (``loadtests/paired_units.py``) so a team's
target (``perfproof/targets``) stops by the same rule: looks fixed in advance,
each spending its own alpha (``loadtests/sequential.py``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from loadtests.arm_run import ArmRun
from loadtests.sequential import LOOKS
from loadtests.unit_timing import WARMUP_S, WINDOW_S
from loadtests.watch import Watched, interval_of, within_target


@dataclass
class Sequential:
    """Where the run stands: the looks taken, why it stopped, each unit's intervals."""

    budget_s: float
    started: float = field(default_factory=time.monotonic)
    looks: list[dict[str, Any]] = field(default_factory=list)
    stopped: str = ""  # "target" or "budget"
    alpha: float = 0.0
    unit_s: list[float] = field(default_factory=list)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def record(self) -> dict[str, Any]:
        return {
            "budget_s": self.budget_s,
            "looks": self.looks,
            "stopped": self.stopped,
            "alpha": self.alpha,
            "units": len(self.unit_s),
            "unit_s": [round(s, 2) for s in self.unit_s],
            "warmup_s": WARMUP_S,
            "window_s": WINDOW_S,
        }


def should_stop(state: Sequential, watched: Sequence[Watched], runs: list[ArmRun]) -> bool:
    """Take every look now due; stop at the first where every claim meets its target.

    A look is due when its share of the budget has passed; the last one when
    another unit would not fit. Each look spends its own alpha, taken or not
    (``loadtests/sequential.py``): the union bound covers any stopping rule.
    """
    elapsed = state.elapsed()
    mean_unit = sum(state.unit_s) / len(state.unit_s)
    budget_spent = elapsed + mean_unit > state.budget_s
    while len(state.looks) < len(LOOKS):
        look = LOOKS[len(state.looks)]
        last = len(state.looks) == len(LOOKS) - 1
        due = budget_spent or (not last and elapsed >= look.fraction * state.budget_s)
        if not due:
            return False
        found = {w.id: interval_of(w, runs, look.alpha) for w in watched}
        met = all(within_target(w, found[w.id]) for w in watched)
        state.looks.append(
            {"fraction": look.fraction, "alpha": look.alpha, "units": len(state.unit_s),
             "elapsed_s": round(elapsed, 1), "met": met,
             "half_widths": {k: (v.half_width if v else None) for k, v in found.items()}}
        )  # fmt: skip
        if met or last:
            state.stopped = "target" if met else "budget"
            state.alpha = look.alpha
            return True
    return True
