"""The block test on synthetic runs whose rounds come in blocks that share a moment's noise.

Measured here: the rounds of one block spread by 5-9 %, one block's median moves 20-30 %
from the next. The rank test on rounds takes that for change; the block test does not,
and still catches a 20 % slowdown where blocks agree.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from reports.regress.compare import compare
from reports.regress.samples import SeriesKey
from reports.regress.significance import (
    Array,
    BlockSpread,
    block_spread,
    block_test,
    typical_variance,
)
from reports.regress.thresholds import Thresholds
from tests.reports.regress.synthetic import query_key

FAMILY = 116
LABELS = np.repeat([1.0, 2.0], 5)  # two blocks of five rounds, as the quick profile runs them


def _side(
    rng: np.random.Generator, keys: list[SeriesKey], *, block_sd: float, round_sd: float = 0.05
) -> dict[SeriesKey, Array]:
    return {
        k: np.exp(np.repeat(rng.normal(0, block_sd, 2), 5) + rng.normal(0, round_sd, 10))
        for k in keys
    }


def _blocks(keys: list[SeriesKey]) -> dict[SeriesKey, Array]:
    return dict.fromkeys(keys, LABELS)


def test_block_spread_is_the_pooled_variance_of_the_log_block_medians() -> None:
    e = math.e
    spread = block_spread(
        np.array([1.0, 1.0, e, e]),
        np.array([1, 1, 2, 2]),
        np.array([e, e, e**3, e**3]),
        np.array([1, 1, 2, 2]),
    )
    # logs: baseline blocks 0 and 1, candidate 1 and 3: difference of means 1.5
    assert spread.difference == pytest.approx(1.5)
    assert spread.variance == pytest.approx((0.5 + 2.0) / 2)
    assert (spread.df, spread.n_baseline, spread.n_candidate) == (2, 2, 2)


def test_block_test_shrinks_towards_the_typical_variance() -> None:
    lucky = BlockSpread(0.2, 1e-8, 2, 2, 2)  # two blocks that happened to agree
    assert block_test(lucky, math.nan) == pytest.approx(0.0, abs=1e-6)
    shrunk = block_test(lucky, 0.04)  # a typical block sd of 0.2: 0.2 is about one sd
    assert shrunk is not None and shrunk > 0.05
    assert block_test(BlockSpread(0.0, math.nan, 0, 1, 1), math.nan) is None
    family = [lucky, BlockSpread(0.0, 0.04, 2, 2, 2), BlockSpread(0.0, 9.0, 2, 2, 2)]
    assert typical_variance(family) == pytest.approx(0.04)  # the median, not the mean
    assert math.isnan(typical_variance([BlockSpread(0.0, math.nan, 0, 1, 1)]))


def test_with_blocks_a_machine_that_moves_block_by_block_does_not_flag() -> None:
    rng = np.random.default_rng(40)
    keys = [query_key(f"orders.list_for_user[s{i}]") for i in range(FAMILY)]
    trials = 30
    with_blocks = rounds_only = 0
    for _ in range(trials):
        base, cand = _side(rng, keys, block_sd=0.2), _side(rng, keys, block_sd=0.2)
        found = compare(
            base, cand, Thresholds(), resamples=0, blocks=(_blocks(keys), _blocks(keys))
        )
        with_blocks += any(c.verdict != "unchanged" for c in found)
        rounds_only += any(
            c.verdict != "unchanged" for c in compare(base, cand, Thresholds(), resamples=0)
        )
    # at most alpha of the comparisons (with binomial slack; about 1-2 % over 100 trials)
    assert with_blocks / trials <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / trials)
    assert rounds_only == trials


def test_with_blocks_a_20_percent_slowdown_where_blocks_agree_is_caught() -> None:
    rng = np.random.default_rng(41)
    keys = [query_key(f"orders.list_for_user[s{i}]") for i in range(FAMILY)]
    trials = 100
    caught = 0
    for _ in range(trials):
        base, cand = _side(rng, keys, block_sd=0.01), _side(rng, keys, block_sd=0.01)
        cand[keys[0]] = cand[keys[0]] * 1.2
        found = {
            c.key: c
            for c in compare(
                base, cand, Thresholds(), resamples=0, blocks=(_blocks(keys), _blocks(keys))
            )
        }
        caught += found[keys[0]].verdict == "regressed"
        assert "block medians" in found[keys[0]].test
    assert caught / trials > 0.95
