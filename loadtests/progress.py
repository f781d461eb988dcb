"""What a sequential load run shows while it goes on: each load claim's interval, the time left.

A sequential run's length is not known in advance, so after every paired unit
the terminal shows where each watched claim stands (its interval at the last
look's alpha, and whether it is within its target) and the budget left: one
line rewritten in place on a terminal, a plain line per unit otherwise (CI logs).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from loadtests.arm_run import ArmRun
from loadtests.sequential import LOOKS, Interval
from loadtests.watch import Watched, interval_of, within_target

if TYPE_CHECKING:
    from loadtests.paired_units import Sequential


class Progress:
    """Each watched claim's interval after every unit, and the budget left.

    On a terminal one line is rewritten in place; otherwise a plain line per unit.
    """

    def __init__(self, watched: Sequence[Watched], state: Sequential) -> None:
        self.watched = watched
        self.state = state
        self.tty = sys.stdout.isatty()

    def show(self, runs: list[ArmRun]) -> None:
        alpha = LOOKS[-1].alpha
        parts = [f"unit {len(self.state.unit_s)}",
                 f"{max(0.0, self.state.budget_s - self.state.elapsed()):.0f} s left"]  # fmt: skip
        for watched in self.watched:
            parts.append(f"{watched.id} {_describe(interval_of(watched, runs, alpha), watched)}")
        line = " | ".join(parts)
        if self.tty:
            print("\r\033[K" + line, end="", flush=True)
        else:
            print(line, flush=True)

    def done(self) -> None:
        if self.tty:
            print(flush=True)
        state = self.state
        why = (
            "every load claim reached its precision target"
            if state.stopped == "target"
            else "the load budget was spent"
        )
        print(f"paired units: {len(state.unit_s)} in {state.elapsed():.0f} s; stopped: {why}",
              flush=True)  # fmt: skip


def _describe(found: Interval | None, watched: Watched) -> str:
    if found is None or found.low is None or found.high is None:
        return "-"
    mark = "ok" if within_target(watched, found) else f"target ±{watched.half_width * 100:g}"
    return f"{found.value * 100:.1f} % [{found.low * 100:.1f}, {found.high * 100:.1f}] ({mark})"
