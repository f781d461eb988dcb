"""A judged claim (:class:`Verdict`); the rules that give its word are ``verdict_rule.py``.

It carries the claim, the interval, the unit of independence and the evidence's own
figures into ``verdicts.json`` and the report.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reports.claims import Claim
from reports.conditions import Conditions
from reports.verdict_rule import WORDS, Claimed, Word, verdict_for

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["WORDS", "Claimed", "Verdict", "Word", "verdict_for"]


@dataclass
class Verdict:
    """One claim judged: the claim, what was measured, how sure, over what, and the word."""

    claim: Claim
    verdict: Word
    reason: str  # why this word (always said for no evidence, not measurable, inconclusive)
    summary: str = ""  # what the measured number is
    measured: float | None = None
    low: float | None = None
    high: float | None = None
    n: int | None = None
    unit: str = ""  # the unit of independence
    method: str = ""
    scale: str = ""
    extrapolation: bool = False
    details: dict[str, Any] = field(default_factory=dict)  # the evidence's own figures
    conditions: Conditions = field(default_factory=Conditions)  # where it holds
    # The tidy rows the estimate was computed from (reports/evidence.py), so the report
    # draws what was judged without selecting it again; not part of verdicts.json.
    rows: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.claim.id

    @property
    def percent(self) -> bool:
        """Show measured/low/high as percentages."""
        how = self.claim.how
        return how.fraction if how is not None else True

    @property
    def claimed(self) -> str:
        """``at least 85 %``, ``70 % to 80 %``; empty when nothing was claimed in numbers."""
        if self.claim.claimed is None or not self.claim.measurable:
            return ""
        return self.claim.claimed.describe(percent=self.percent)

    def document(self) -> dict[str, Any]:
        """The verdict as ``verdicts.json`` holds it: the claim's own fields read from it."""
        claim = self.claim
        return {
            "id": claim.id,
            "quote": claim.quote,
            "verdict": self.verdict,
            "reason": self.reason,
            "claimed": self.claimed,
            "statistic": claim.statistic,
            "summary": self.summary,
            "measured": self.measured,
            "low": self.low,
            "high": self.high,
            "n": self.n,
            "unit": self.unit,
            "method": self.method,
            "percent": self.percent,
            "suite": claim.suite,
            "series": list(claim.series),
            "baseline": claim.baseline or "",
            "candidate": claim.candidate or claim.arm,
            "scale": self.scale,
            "extrapolation": self.extrapolation,
            "judged_at": self.conditions.document(),
            "details": copy.deepcopy(self.details),
            "note": claim.note,
        }
