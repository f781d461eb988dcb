"""The estimates and their intervals on synthetic data whose answers are known.

Every sample here is drawn from a distribution chosen by the test (seeded), so
the true effect is known and the intervals can be checked against it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from reports.estimates import level, median_reduction, paired_reduction


def test_median_reduction_finds_a_known_85_percent() -> None:
    rng = np.random.default_rng(1)
    baseline = rng.normal(1.0, 0.02, 30)  # median 1.0 s
    candidate = rng.normal(0.15, 0.003, 30)  # median 0.15 s: 85 % less
    estimate = median_reduction(baseline, candidate)
    assert estimate.low is not None and estimate.high is not None
    assert estimate.low <= 0.85 <= estimate.high
    assert estimate.high - estimate.low < 0.02
    assert estimate.n == 30
    assert estimate.value == pytest.approx(0.85, abs=0.01)


def test_median_reduction_of_one_distribution_against_itself_covers_zero() -> None:
    rng = np.random.default_rng(2)
    estimate = median_reduction(rng.lognormal(0, 0.2, 40), rng.lognormal(0, 0.2, 40))
    assert estimate.low is not None and estimate.high is not None
    assert estimate.low < 0 < estimate.high


def test_median_reduction_interval_covers_the_truth_about_95_percent_of_the_time() -> None:
    """Coverage over 200 synthetic experiments with a true 50 % reduction (lognormal noise)."""
    rng = np.random.default_rng(3)
    covered = 0
    trials = 200
    for trial in range(trials):
        baseline = rng.lognormal(math.log(2.0), 0.1, 25)
        candidate = rng.lognormal(math.log(1.0), 0.1, 25)
        estimate = median_reduction(baseline, candidate, resamples=999, seed=trial)
        assert estimate.low is not None and estimate.high is not None
        covered += estimate.low <= 0.5 <= estimate.high
    assert 0.88 <= covered / trials <= 0.99


def test_one_round_has_no_interval() -> None:
    estimate = median_reduction([2.0], [1.0])
    assert (estimate.value, estimate.low, estimate.high) == (0.5, None, None)


def test_paired_reduction_of_a_known_ratio() -> None:
    # Candidate exactly 40 % of baseline in every pair: a 60 % reduction, no spread.
    estimate = paired_reduction([10.0, 12.0, 8.0], [4.0, 4.8, 3.2])
    assert estimate.value == pytest.approx(0.6)
    assert estimate.low == pytest.approx(0.6) and estimate.high == pytest.approx(0.6)
    assert estimate.n == 3


def test_paired_reduction_interval_covers_the_truth_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(4)
    trials, covered = 400, 0
    for _ in range(trials):
        baseline = rng.lognormal(math.log(20.0), 0.3, 4)  # drift between repetitions
        candidate = baseline * 0.5 * rng.lognormal(0, 0.05, 4)  # a true 50 % reduction
        estimate = paired_reduction(baseline, candidate)
        assert estimate.low is not None and estimate.high is not None
        covered += estimate.low <= 0.5 <= estimate.high
    assert 0.90 <= covered / trials <= 0.99


def test_paired_reduction_with_one_repetition_has_no_interval() -> None:
    estimate = paired_reduction([10.0], [5.0])
    assert estimate.value == pytest.approx(0.5)
    assert estimate.low is None and estimate.high is None


def test_paired_reduction_refuses_a_zero() -> None:
    with pytest.raises(ValueError, match="positive"):
        paired_reduction([1.0, 0.0], [1.0, 1.0])


def test_level_of_a_known_mean_is_clipped_to_its_range() -> None:
    estimate = level([0.99, 1.0, 0.98, 1.0])
    assert estimate.value == pytest.approx(0.9925)
    assert estimate.high == 1.0
    assert estimate.low is not None and 0.95 < estimate.low < 0.9925
