"""The verdict rules: a claimed value and a measured interval in, one word out.

With ``[l, u]`` the 95 % interval of the measured effect and the claim
``at_least = x`` (``lo = x``) or ``between = [lo, hi]``:

- exceeded: a range claim and ``l > hi``;
- met: ``l >= lo``, and not exceeded;
- not met: ``u < lo``;
- inconclusive: the interval straddles ``lo`` (or there is no interval: one
  repetition cannot say how much another would differ);
- not measurable / no evidence: decided before any number, with the reason.

The rules only ever look at the interval, never at the point estimate: a
lucky point inside a wide interval is not a kept promise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from reports.claims import Claimed

Word = Literal["exceeded", "met", "not met", "inconclusive", "not measurable", "no evidence"]
WORDS: tuple[Word, ...] = (
    "exceeded",
    "met",
    "not met",
    "inconclusive",
    "not measurable",
    "no evidence",
)


def verdict_for(claimed: Claimed, low: float | None, high: float | None) -> Word:
    if low is None or high is None:
        return "inconclusive"
    if low > high:
        raise ValueError(f"an interval's low end {low} is above its high end {high}")
    if claimed.high is not None and low > claimed.high:
        return "exceeded"
    if low >= claimed.low:
        return "met"
    if high < claimed.low:
        return "not met"
    return "inconclusive"


@dataclass
class Verdict:
    """One claim judged: what was measured, how sure, over what, and the word."""

    id: str
    quote: str
    verdict: Word
    reason: str  # why this word (always said for no evidence, not measurable, inconclusive)
    claimed: str = ""  # "at least 85 %", "70 % to 80 %"
    statistic: str = ""
    summary: str = ""  # what the measured number is
    measured: float | None = None
    low: float | None = None
    high: float | None = None
    n: int | None = None
    unit: str = ""  # the unit of independence
    method: str = ""
    percent: bool = True  # show measured/low/high as percentages
    suite: str = ""
    series: list[str] = field(default_factory=list)
    baseline: str = ""
    candidate: str = ""
    scale: str = ""
    extrapolation: bool = False
    details: dict[str, Any] = field(default_factory=dict)  # the evidence's own figures
    note: str = ""

    def document(self) -> dict[str, Any]:
        return asdict(self)

    def measured_text(self) -> str:
        """``85.3 % [81.0, 88.1]``, or what stands in for a number."""
        if self.measured is None:
            return "—"
        if self.percent:
            point = f"{self.measured:.1%}"
            interval = (
                f" [{self.low:.1%}, {self.high:.1%}]"
                if self.low is not None and self.high is not None
                else " (no interval)"
            )
            return point + interval
        return f"{self.measured:g}"
