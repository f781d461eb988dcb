"""The gate's tests and corrections on synthetic samples of known distributions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from reports.regress.significance import (
    adjusted,
    holm,
    log_t_test,
    mean_log_change,
    median_change,
    rank_test,
    smallest_rank_p,
)


def test_rank_test_rejects_at_most_its_level_between_identical_distributions() -> None:
    rng = np.random.default_rng(1)
    trials = 2000
    rejected = sum(
        rank_test(rng.lognormal(0, 0.3, 10), rng.lognormal(0, 0.3, 10)) <= 0.05
        for _ in range(trials)
    )
    # The exact test is conservative on discrete U: at or below 5 %, with binomial slack.
    assert rejected / trials <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / trials)


def test_rank_test_finds_a_clear_shift() -> None:
    rng = np.random.default_rng(2)
    base, cand = rng.lognormal(0, 0.05, 10), rng.lognormal(math.log(1.2), 0.05, 10)
    assert rank_test(base, cand) < 1e-4


def test_rank_test_of_samples_without_spread_is_one() -> None:
    assert rank_test([1.0, 1.0, 1.0], [1.0, 1.0]) == 1.0


def test_smallest_rank_p_is_complete_separation() -> None:
    assert smallest_rank_p(3, 3) == pytest.approx(0.1)  # 2 of C(6, 3) = 20
    assert smallest_rank_p(10, 10) == pytest.approx(2 / 184_756)
    assert smallest_rank_p(0, 5) == 1.0
    # and the exact test reaches it
    assert rank_test([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]) == pytest.approx(0.1)


def test_log_t_test_needs_two_values_a_side_and_tells_constants_apart() -> None:
    assert log_t_test([1.0], [1.0, 2.0]) is None
    assert log_t_test([2.0, 2.0], [2.0, 2.0]) == 1.0
    assert log_t_test([2.0, 2.0], [3.0, 3.0]) == 0.0
    with pytest.raises(ValueError, match="positive"):
        log_t_test([0.0, 1.0], [1.0, 2.0])


def test_log_t_test_rejects_at_most_its_level_over_repetitions() -> None:
    rng = np.random.default_rng(3)
    trials = 2000
    rejected = 0
    for _ in range(trials):
        p = log_t_test(rng.lognormal(0, 0.05, 3), rng.lognormal(0, 0.05, 3))
        assert p is not None
        rejected += p <= 0.05
    assert rejected / trials <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / trials)


def test_holm_matches_the_textbook_steps() -> None:
    # sorted 0.01, 0.03, 0.04 -> 3 x 0.01, 2 x 0.03, max(0.06, 1 x 0.04)
    assert holm([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.9, 0.8]).tolist() == pytest.approx([1.0, 1.0])


def test_adjusted_uses_benjamini_hochberg_for_fdr_and_holm_for_fwer() -> None:
    ps = [0.001, 0.02, 0.03, 0.5]
    assert adjusted(ps, "fdr").tolist() == pytest.approx(
        stats.false_discovery_control(ps, method="bh").tolist()
    )
    assert adjusted(ps, "fwer").tolist() == pytest.approx(holm(ps).tolist())
    assert len(adjusted([], "fdr")) == 0


def test_median_change_covers_a_known_20_percent_slowdown() -> None:
    rng = np.random.default_rng(4)
    change = median_change(rng.lognormal(0, 0.05, 40), rng.lognormal(math.log(1.2), 0.05, 40))
    assert change.low is not None and change.high is not None
    assert change.low < 0.2 < change.high
    assert change.value == pytest.approx(0.2, abs=0.04)


def test_median_change_without_resamples_has_no_interval() -> None:
    change = median_change([1.0, 1.0, 1.0], [1.5, 1.5, 1.5], resamples=0)
    assert change.value == pytest.approx(0.5)
    assert change.low is None and change.high is None


def test_mean_log_change_is_the_geometric_mean_ratio_with_a_t_interval() -> None:
    change = mean_log_change([1.0, 4.0], [2.0, 8.0])  # geometric means 2 and 4
    assert change.value == pytest.approx(1.0)
    assert change.low is not None and change.high is not None
    assert change.low < 1.0 < change.high
    assert mean_log_change([1.0], [2.0]).low is None
