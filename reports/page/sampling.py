"""Why a sequential load claim's sampling stopped, and what would decide an open verdict.

A sequential run's length depends on what it saw, so its report says when
and why it stopped: every load claim within its precision target at a look
(and which look, with the alpha that look spent), or the load budget spent.
An inconclusive verdict also says what would decide it: the smallest
distance between the truth and a claimed bound this run could have told
apart (its minimum detectable effect, at 80 % power), and about how many
units, and minutes, the interval would need to reach its target at the
variance observed (``loadtests/sequential.py``).
"""

from __future__ import annotations

from loadtests.sequential import LOOKS
from reports.page.blocks import Block
from reports.page.formatting import number
from reports.verdicts import Verdict


def _points(value: object) -> str:
    return f"±{float(value) * 100:.1f} points" if isinstance(value, int | float) else "—"


def sampling_block(verdict: Verdict) -> Block:
    details = verdict.details
    block = Block(title="How sampling went")
    how = details.get("sequential") or {}
    looks = how.get("looks") or []
    units = how.get("units")
    if how:
        if how.get("stopped") == "target":
            last = looks[-1] if looks else {}
            said = (
                f"every load claim reached its precision target at look {len(looks)} of "
                f"{len(LOOKS)} "
                f"({number(last.get('units'))} units, {number(last.get('elapsed_s'))} s)"
            )
        else:
            said = f"the load budget ({number(how.get('budget_s'))} s) was spent"
        block.facts.append(("stopped", said))
        block.facts.append(("units", number(units)))
        unit_s = how.get("unit_s") or []
        if unit_s:
            block.facts.append(("one unit", f"{sum(unit_s) / len(unit_s):.1f} s"))
    alpha = details.get("alpha")
    if isinstance(alpha, float):
        block.facts.append(
            ("interval level", f"{(1 - alpha) * 100:.1f} % at the stopping look; the looks "
             "together spend 5 %, so every reported interval covers with at least 95 %")
        )  # fmt: skip
    block.facts.append(("half-width", _points(details.get("half_width"))))
    block.facts.append(("target", _points(details.get("target"))))
    if verdict.verdict == "inconclusive":
        mde = details.get("mde")
        needed = details.get("units_for_target")
        if isinstance(mde, float):
            block.notes.append(
                f"What would decide it: this run could tell the truth from a claimed bound only "
                f"when they are at least {mde * 100:.1f} points apart (its minimum detectable "
                "effect, at 80 % power)."
            )
        if isinstance(needed, int) and isinstance(units, int) and needed > units:
            unit_s = how.get("unit_s") or []
            per_unit = sum(unit_s) / len(unit_s) if unit_s else None
            more = max(0, needed - units)
            minutes = f", about {more * per_unit / 60:.1f} more minutes" if per_unit else ""
            block.notes.append(
                f"At the variance observed, about {needed} units in all ({more} more{minutes}, "
                "e.g. --load-budget) would bring the interval to its target."
            )
    return block
