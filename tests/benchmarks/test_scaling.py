"""The growth mode's answers on synthetic tidy rows with known laws (no database involved).

The unindexed orders query is made to grow as 1e-7 s per order (1.3 s at 13
million orders), the indexed one as a constant 0.5 ms, measured at three
sizes up to one million: the 1.3 s size is then an extrapolation, at 13
million, where the indexed query takes 0.5 ms.
"""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.scaling import AbsoluteGoal, analyse

# The seed write-up's orders query, 1.3 s -> 0.2 s (reports/claims.toml says so for real runs).
GOAL = AbsoluteGoal("orders.list_for_user[heavy]", before_s=1.3, after_s=0.2)
ABSOLUTE_SERIES = GOAL.series

SIZES = (5_000, 100_000, 1_000_000)


def rows(law_off: Any, law_on: Any, sizes: tuple[int, ...] = SIZES) -> list[dict[str, Any]]:
    made = []
    for size in sizes:
        for indexes, law in (("off", law_off), ("on", law_on)):
            for repeat in range(3):
                made.append(
                    {
                        "suite": "queries",
                        "series": ABSOLUTE_SERIES,
                        "indexes": indexes,
                        "rows": size,
                        "metric": "time",
                        "value": law(size) * (1 + 0.001 * (repeat - 1)),
                    }
                )
    return made


def test_the_size_where_the_unindexed_query_takes_1_3_s_is_an_extrapolation() -> None:
    analysis = analyse(rows(lambda n: 1e-7 * n, lambda _: 5e-4), {ABSOLUTE_SERIES}, GOAL)
    absolute = analysis["absolute"]
    assert absolute["kind"] == "extrapolation"
    assert absolute["orders_rows"] == pytest.approx(13_000_000, rel=0.01)
    assert absolute["indexed_s"] == pytest.approx(5e-4, rel=0.01)
    assert "EXTRAPOLATION" in absolute["note"]
    fitted = analysis["series"][f"{ABSOLUTE_SERIES} indexes=off"]
    assert fitted["chosen"]["law"] == "n"
    assert fitted["power_exponent_k"] == pytest.approx(1.0, abs=0.01)
    assert analysis["series"][f"{ABSOLUTE_SERIES} indexes=on"]["chosen"]["law"] == "constant"


def test_a_measured_1_3_s_is_reported_as_measured() -> None:
    analysis = analyse(
        rows(lambda n: 2e-6 * n, lambda _: 5e-4), {ABSOLUTE_SERIES}, GOAL
    )  # 2 s at one million
    absolute = analysis["absolute"]
    assert absolute["kind"] == "measured"
    assert absolute["orders_rows"] == 1_000_000
    assert absolute["indexed_s"] == pytest.approx(5e-4, rel=0.01)


def test_fewer_than_three_sizes_is_no_evidence() -> None:
    analysis = analyse(rows(lambda n: 1e-7 * n, lambda _: 5e-4, SIZES[:2]), {ABSOLUTE_SERIES}, GOAL)
    assert analysis["series"] == {}
    assert analysis["absolute"]["kind"] == "no evidence"


def test_without_a_goal_the_fits_stand_and_nothing_is_asked_of_them() -> None:
    analysis = analyse(rows(lambda n: 1e-7 * n, lambda _: 5e-4), {ABSOLUTE_SERIES})
    assert analysis["absolute"]["kind"] == "no goal"
    assert f"{ABSOLUTE_SERIES} indexes=off" in analysis["series"]


def test_the_goal_is_asked_at_its_own_time() -> None:
    """Another write-up's 2.6 s: the same linear law reaches it at twice the size."""
    other = AbsoluteGoal(ABSOLUTE_SERIES, before_s=2.6, after_s=0.2)
    analysis = analyse(rows(lambda n: 1e-7 * n, lambda _: 5e-4), {ABSOLUTE_SERIES}, other)
    assert analysis["absolute"]["orders_rows"] == pytest.approx(26_000_000, rel=0.01)
    assert analysis["absolute"]["target_unindexed_s"] == 2.6
