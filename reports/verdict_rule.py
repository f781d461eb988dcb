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

from dataclasses import dataclass
from typing import Literal, get_args


@dataclass(frozen=True)
class Claimed:
    """What is promised: at least ``low``, or between ``low`` and ``high``."""

    low: float
    high: float | None = None

    def describe(self, percent: bool) -> str:
        def show(value: float) -> str:
            return f"{round(value * 100, 1):g} %" if percent else f"{value:g}"

        if self.high is None:
            return f"at least {show(self.low)}"
        return f"{show(self.low)} to {show(self.high)}"


Word = Literal["exceeded", "met", "not met", "inconclusive", "not measurable", "no evidence"]
WORDS: tuple[Word, ...] = get_args(Word)


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
