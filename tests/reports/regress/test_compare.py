"""The gate's decision on synthetic families of series with known truths.

The two promises of the issue, quickly: between identical distributions the
gate flags a family at most at its configured level (false positives), and
a 20 % slowdown of one series among a quick run's worth of series is caught
in more than 95 % of trials (power).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from reports.regress.compare import classify, compare
from reports.regress.samples import NO_MODEL, SeriesKey
from reports.regress.significance import Array
from reports.regress.thresholds import Thresholds
from tests.reports.regress.synthetic import query_key

FAMILY = 116  # the series of a quick run's queries and endpoints
ROUNDS = 10  # rounds per arm in the quick profile (two blocks of 5)


def _family(rng: np.random.Generator, size: int, sigma: float, n: int) -> dict[SeriesKey, Array]:
    return {
        query_key(f"orders.list_for_user[s{i}]"): rng.lognormal(0, sigma, n) for i in range(size)
    }


@pytest.mark.parametrize(
    ("change", "q", "higher_is_better", "expected"),
    [
        (0.20, 0.001, False, "regressed"),
        (0.20, 0.20, False, "unchanged"),  # not significant
        (0.05, 0.001, False, "unchanged"),  # significant, within 10 %
        (None, None, False, "unchanged"),
        (-0.20, 0.001, False, "improved"),
        (-0.08, 0.001, False, "unchanged"),  # 1/1.08: within 1/1.10
        (-0.20, 0.001, True, "regressed"),  # throughput down 20 %
        (0.20, 0.001, True, "improved"),
    ],
)
def test_classify(
    change: float | None, q: float | None, higher_is_better: bool, expected: str
) -> None:
    verdict = classify(
        change if change is not None else 0.5,
        q,
        alpha=0.05,
        threshold=0.10,
        higher_is_better=higher_is_better,
    )
    assert verdict == expected


def test_false_positives_between_identical_distributions_stay_at_the_level() -> None:
    """A threshold of nothing leaves significance alone to decide: the family-wise rate of
    any flag, with BH under the complete null, is at most alpha."""
    rng = np.random.default_rng(10)
    thresholds = Thresholds(default=1e-9, alpha=0.05)
    trials = 200
    flagged = 0
    for _ in range(trials):
        base, cand = _family(rng, 40, 0.3, ROUNDS), _family(rng, 40, 0.3, ROUNDS)
        found = compare(base, cand, thresholds, resamples=0)
        flagged += any(c.verdict in ("regressed", "improved") for c in found)
    assert flagged / trials <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / trials)


def test_false_positives_with_the_default_threshold_are_rarer_still() -> None:
    rng = np.random.default_rng(11)
    thresholds = Thresholds()
    trials = 50
    regressed = 0
    for _ in range(trials):
        found = compare(
            _family(rng, FAMILY, 0.3, ROUNDS),
            _family(rng, FAMILY, 0.3, ROUNDS),
            thresholds,
            resamples=0,
        )
        regressed += any(c.verdict == "regressed" for c in found)
    assert regressed / trials <= 0.05


@pytest.mark.parametrize(("control", "trials"), [("fdr", 100), ("fwer", 50)])
def test_a_20_percent_slowdown_of_one_series_is_caught_in_95_percent_of_trials(
    control: str, trials: int
) -> None:
    """5 % noise per round, 10 rounds a side, among a quick run's 116 series."""
    rng = np.random.default_rng(12)
    thresholds = Thresholds(control="fdr" if control == "fdr" else "fwer")
    slowed = query_key("orders.list_for_user[s0]")
    caught = wrong = 0
    for _ in range(trials):
        base, cand = _family(rng, FAMILY, 0.05, ROUNDS), _family(rng, FAMILY, 0.05, ROUNDS)
        cand[slowed] = cand[slowed] * 1.2
        found = {c.key: c.verdict for c in compare(base, cand, thresholds, resamples=0)}
        caught += found[slowed] == "regressed"
        wrong += sum(v == "regressed" for k, v in found.items() if k != slowed)
    assert caught / trials > 0.95
    assert wrong == 0


def test_a_20_percent_throughput_drop_over_three_repetitions_is_caught() -> None:
    """Load figures: one per repetition, so the test is Student t on the logs (2-5 % noise)."""
    rng = np.random.default_rng(13)
    keys = [
        SeriesKey("load", f"GET /api/r{i}", "all-on", "closed", "throughput", "tiny")
        for i in range(20)
    ]
    trials = 200
    caught = 0
    for _ in range(trials):
        base = {k: rng.lognormal(math.log(500), 0.02, 3) for k in keys}
        cand = {k: rng.lognormal(math.log(500), 0.02, 3) for k in keys}
        cand[keys[0]] = cand[keys[0]] / 1.25  # 20 % less throughput
        found = {c.key: c.verdict for c in compare(base, cand, Thresholds(), resamples=0)}
        caught += found[keys[0]] == "regressed"
    assert caught / trials > 0.95


def test_series_on_one_side_are_added_or_removed_never_regressed() -> None:
    kept, gone, new = query_key("a[x]"), query_key("b[x]"), query_key("c[x]")
    base = {kept: np.ones(10), gone: np.ones(10)}
    cand = {kept: np.ones(10), new: np.full(10, 100.0)}
    found = {c.key: c for c in compare(base, cand, Thresholds())}
    assert found[kept].verdict == "unchanged"
    assert found[gone].verdict == "removed" and found[gone].n_baseline == 10
    assert found[new].verdict == "added" and found[new].candidate == 100.0


def test_refused_series_are_not_compared_with_their_reason() -> None:
    key = SeriesKey("load", "ALL", "all-on", "open", "intended_p50", "tiny")
    found = compare(
        {key: np.ones(3)},
        {key: np.full(3, 2.0)},
        Thresholds(),
        not_compared={key: "offered rates differ"},
    )
    assert [(c.verdict, c.reason) for c in found] == [("not compared", "offered rates differ")]


def test_too_few_rounds_leave_a_series_out_of_the_family() -> None:
    few, many = query_key("a[x]"), query_key("b[x]")
    base = {few: np.ones(3), many: np.linspace(1, 1.1, 10)}
    cand = {few: np.full(3, 2.0), many: np.linspace(1.5, 1.6, 10)}
    found = {c.key: c for c in compare(base, cand, Thresholds())}
    assert found[few].verdict == "unchanged" and found[few].q is None
    assert "too few rounds" in found[few].reason
    assert found[many].verdict == "regressed"
    assert "over 1 series" in found[many].reason


def test_a_series_threshold_overrides_the_default() -> None:
    key = query_key()
    base, cand = np.linspace(1, 1.01, 10), np.linspace(1.15, 1.16, 10)
    assert compare({key: base}, {key: cand}, Thresholds())[0].verdict == "regressed"
    looser = Thresholds(series={("queries", key.series): 0.2})
    found = compare({key: base}, {key: cand}, looser)[0]
    assert (found.verdict, found.threshold_from) == ("unchanged", "series.queries")
    assert found.key.model == NO_MODEL
