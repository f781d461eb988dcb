"""The verdict rules on synthetic intervals: every word reachable, and only by its rule."""

from __future__ import annotations

import pytest

from reports.verdict_rule import Claimed
from reports.verdicts import WORDS, verdict_for

RANGE = Claimed(0.40, 0.60)
AT_LEAST = Claimed(0.85)


@pytest.mark.parametrize(
    ("claimed", "low", "high", "word"),
    [
        (RANGE, 0.61, 0.70, "exceeded"),  # the whole interval above the range
        (RANGE, 0.60, 0.70, "met"),  # touching hi is not exceeding it
        (RANGE, 0.40, 0.45, "met"),  # l >= lo
        (RANGE, 0.45, 0.99, "met"),  # above hi at the top, but l inside: met
        (RANGE, 0.10, 0.39, "not met"),
        (RANGE, 0.30, 0.50, "inconclusive"),  # straddles lo
        (AT_LEAST, 0.86, 0.99, "met"),  # an at-least claim is never exceeded
        (AT_LEAST, 0.50, 0.84, "not met"),
        (AT_LEAST, 0.80, 0.90, "inconclusive"),
        (RANGE, None, None, "inconclusive"),  # one repetition: no interval
    ],
)
def test_each_rule(claimed: Claimed, low: float | None, high: float | None, word: str) -> None:
    assert verdict_for(claimed, low, high) == word


def test_every_measured_word_is_reachable() -> None:
    reached = {
        verdict_for(claimed, low, high)
        for claimed in (RANGE, AT_LEAST)
        for low, high in ((0.0, 0.1), (0.3, 0.5), (0.5, 0.55), (0.9, 0.95), (0.61, 0.99))
    }
    assert reached == set(WORDS) - {"not measurable", "no evidence"}


def test_an_inverted_interval_is_a_bug_not_a_verdict() -> None:
    with pytest.raises(ValueError, match="above its high end"):
        verdict_for(RANGE, 0.5, 0.4)
