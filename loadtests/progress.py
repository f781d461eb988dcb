"""What a sequential load run shows while it goes on: each load claim's interval, the time left.

A sequential run's length is not known in advance, so after every paired unit
the terminal shows where each watched claim stands (its interval at the last
look's alpha, and whether it is within its target) and the budget left: one
line rewritten in place on a terminal, a plain line per unit otherwise (CI logs).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from loadtests.arm_run import ArmRun
from loadtests.sequential import LOOKS, Interval
from loadtests.watch import Watched, interval_of, within_target

if TYPE_CHECKING:
    from loadtests.stopping import Sequential


class Progress:
    """Each watched claim's interval after every unit, and the budget left.

    On a terminal one line is rewritten in place; otherwise a plain line per unit.
    """

    def __init__(self, watched: Sequence[Watched], state: Sequential) -> None:
        self.watched = watched
        self.state = state
        self.tty = sys.stdout.isatty()
        self._shown_looks = 0

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

    def looked(self) -> None:
        """A line for each look taken since the last call: what it found, and what comes next.

        The per-unit line shows intervals at the last look's level; an earlier look
        judges at a stricter one, so a run whose line reads "ok" may still go on.
        This says so.
        """
        for look in self.state.looks[self._shown_looks :]:
            if self.tty:
                print(flush=True)
            print(describe_look(look, self.watched), flush=True)
        self._shown_looks = len(self.state.looks)

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


def describe_look(look: Mapping[str, Any], watched: Sequence[Watched]) -> str:
    """``look 2 of 3 (70 % of the budget, 20 units, level 99.0 %): cache-hit-ratio ±3.3
    (target ±3); going on``."""
    index = next((n for n, planned in enumerate(LOOKS, 1) if planned.fraction == look["fraction"]),
                 0)  # fmt: skip
    head = (
        f"look {index} of {len(LOOKS)} ({look['fraction'] * 100:.0f} % of the budget, "
        f"{look['units']} units, level {(1 - look['alpha']) * 100:.1f} %)"
    )
    widths: Mapping[str, float | None] = look.get("half_widths") or {}
    wide = [
        f"{w.id} {_points(widths.get(w.id))} (target ±{w.half_width * 100:g})"
        for w in watched
        if widths.get(w.id) is None or (widths[w.id] or 0.0) > w.half_width
    ]
    if look["met"]:
        return f"{head}: every load claim within its target; stopping"
    then = "the budget is spent: stopping" if index == len(LOOKS) else "going on"
    return f"{head}: {', '.join(wide) or 'not yet'}; {then}"


def _points(half_width: float | None) -> str:
    return "-" if half_width is None else f"±{half_width * 100:.1f}"
