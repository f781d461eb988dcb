"""The estimates and their intervals on synthetic data whose answers are known.

Every sample here is drawn from a distribution chosen by the test (seeded), so
the true effect is known and the intervals can be checked against it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from reports.estimates import median_reduction


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
