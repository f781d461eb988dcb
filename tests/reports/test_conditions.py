"""Every verdict says where it holds: the data size judged and, under load, the offered rate.

Synthetic run folders (``test_evaluate.py``'s) with known sizes and rates: an index
claim carries its series' table and rows, the growth claim the size its fit judged
at (marked when extrapolated), a load claim the dataset's orders and the rate as a
share of the slowest arm's closed-model capacity; the terminal table, verdicts.json
and verdicts.md all show it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.claims import load_claims
from reports.conditions import Conditions
from reports.evaluate import judge
from reports.verdict_output import markdown, terminal_lines
from tests.reports.test_evaluate import (
    ABSOLUTE,
    DB_LOAD,
    SERIES,
    claim_file,
    db_rows,
    folder,
    growth_rows,
    load_rows,
    orders_claim,
    query_rows,
)


def test_an_index_verdict_names_its_series_table_and_rows(tmp_path: Path) -> None:
    run = folder(tmp_path, query_rows(SERIES, 0.010, 0.005, rows=5000))
    verdict = judge(orders_claim(tmp_path, "at_least = 0.4"), run)
    assert verdict.conditions == Conditions(scale="tiny", rows=5000, table="orders")
    assert verdict.conditions.describe() == "tiny, 5,000 orders"
    assert verdict.document()["judged_at"]["rows"] == 5000
    (line,) = [x for x in terminal_lines([verdict]) if x.startswith("c ")]
    assert "5k orders" in line


def test_the_growth_verdict_names_the_size_its_fit_judged_at_and_flags_extrapolation(
    tmp_path: Path,
) -> None:
    claim = load_claims(claim_file(tmp_path, ABSOLUTE)).claims[0]
    beyond = judge(claim, folder(tmp_path, growth_rows([10_000, 30_000, 90_000]))).conditions
    assert beyond.extrapolation and beyond.table == "orders"
    assert beyond.rows == pytest.approx(130_000, rel=0.05)
    assert beyond.describe().endswith("orders (extrapolated)")
    assert "(extrap.)" in beyond.short()
    inside = judge(claim, folder(tmp_path, growth_rows([30_000, 90_000, 270_000]))).conditions
    assert not inside.extrapolation and "extrapolated" not in inside.describe()


def test_a_load_verdict_names_the_rate_as_a_share_of_the_slowest_arm_s_capacity(
    tmp_path: Path,
) -> None:
    claim = load_claims(claim_file(tmp_path, DB_LOAD)).claims[0]
    rows = db_rows(4, ratio=0.3)
    rows += load_rows("no-cache", "closed", 0, throughput=480.0)
    rows += load_rows("all-on", "closed", 0, throughput=600.0)
    run = folder(
        tmp_path,
        rows,
        manifest={"open_rate": 120.0, "dataset_rows": {"tiny": {"orders": 5000, "users": 200}}},
    )
    verdict = judge(claim, run)
    where = verdict.conditions
    assert (where.rows, where.table, where.rate_per_s, where.capacity_per_s) == (
        5000, "orders", 120.0, 480.0
    )  # fmt: skip
    assert where.capacity_share == pytest.approx(0.25)
    assert where.describe() == "tiny, 5,000 orders; 120/s offered (25 % of capacity, 480/s)"
    assert verdict.document()["judged_at"]["capacity_share"] == pytest.approx(0.25)
    lines = terminal_lines([verdict])
    assert "5k orders @ 25 %" in lines[2]
    assert "  load claims judged at 120/s offered (25 % of capacity, 480/s)" in lines
    table = markdown([verdict], run="r", title="t")
    assert "| judged at |" in table and "120/s offered (25 % of capacity, 480/s)" in table


def test_a_capacity_over_several_closed_runs_names_its_arm_and_the_median(
    tmp_path: Path,
) -> None:
    claim = load_claims(claim_file(tmp_path, DB_LOAD)).claims[0]
    rows = db_rows(4, ratio=0.3)
    rows += load_rows("all-on", "closed", 0, throughput=600.0)
    for repetition, throughput in enumerate([250.0, 262.0, 40.0, 256.0, 270.0]):
        rows += load_rows("all-off", "closed", repetition, throughput=throughput)
    run = folder(tmp_path, rows, manifest={"open_rate": 128.0})
    where = judge(claim, run).conditions
    assert (where.capacity_arm, where.capacity_per_s, where.capacity_runs) == (
        "all-off", 256.0, 5
    )  # fmt: skip
    assert where.load() == (
        "128/s offered (50 % of capacity, 256/s: all-off, median of 5 closed runs)"
    )


def _rechecked(tmp_path: Path, after: list[float]) -> Conditions:
    """A load verdict's conditions: three closed runs of all-off (median 256/s) set the rate
    of 128/s, and the runs ``after`` the units follow, named by the manifest."""
    claim = load_claims(claim_file(tmp_path, DB_LOAD)).claims[0]
    rows = db_rows(4, ratio=0.3)
    rows += load_rows("all-on", "closed", 0, throughput=600.0)
    for repetition, throughput in enumerate([250.0, 262.0, 256.0, *after]):
        rows += load_rows("all-off", "closed", repetition, throughput=throughput)
    named = {"arm": "all-off", "repetitions": list(range(3, 3 + len(after)))}
    manifest = {"open_rate": 128.0, "capacity_after": named}
    return judge(claim, folder(tmp_path, rows, manifest=manifest)).conditions


def test_the_runs_after_the_units_are_a_recheck_not_part_of_the_rate_s_capacity(
    tmp_path: Path,
) -> None:
    """Two runs after the units read 355 and 365/s: the rate's capacity stays 256/s, and the
    verdict says the capacity moved during the units and the share it was at after them."""
    where = _rechecked(tmp_path, [355.0, 365.0])
    assert (where.capacity_per_s, where.capacity_runs) == (256.0, 3)
    assert (where.after_per_s, where.after_runs) == (360.0, 2)
    assert where.capacity_moved and where.after_share == pytest.approx(128 / 360)
    assert where.load() == (
        "128/s offered (50 % of capacity, 256/s: all-off, median of 3 closed runs; 36 % of the "
        "360/s measured after the units: the capacity moved +41 % during them)"
    )
    assert where.short() == "tiny @ 50-36 %"
    assert where.document()["capacity_moved"] is True


def test_a_capacity_that_held_during_the_units_is_shown_but_not_flagged(tmp_path: Path) -> None:
    steady = _rechecked(tmp_path, [270.0, 250.0])
    assert not steady.capacity_moved and steady.short() == "tiny @ 50 %"
    assert steady.load().endswith("; 49 % of the 260/s measured after the units)")


def test_a_closed_run_stolen_from_is_left_out_of_the_capacity_as_the_runner_left_it_out(
    tmp_path: Path,
) -> None:
    claim = load_claims(claim_file(tmp_path, DB_LOAD)).claims[0]
    rows = db_rows(4, ratio=0.3)
    rows += load_rows("all-on", "closed", 0, throughput=600.0, cpu_steal=0.0, cpu_others=0.0)
    rows += load_rows("all-off", "closed", 0, throughput=192.0, cpu_steal=0.26, cpu_others=0.0)
    for repetition, throughput in enumerate([250.0, 262.0, 256.0], 1):
        rows += load_rows("all-off", "closed", repetition, throughput=throughput,
                          cpu_steal=0.0, cpu_others=0.02)  # fmt: skip
    where = judge(claim, folder(tmp_path, rows, manifest={"open_rate": 128.0})).conditions
    assert (where.capacity_arm, where.capacity_per_s, where.capacity_runs) == ("all-off", 256.0, 3)


def test_a_pinned_rate_says_so_and_a_run_without_sizes_names_its_scale() -> None:
    pinned = Conditions(scale="small", rows=100_000, table="orders", rate_per_s=150.0,
                        capacity_per_s=300.0, rate_given=True)  # fmt: skip
    assert pinned.load() == "150/s offered (50 % of capacity, 300/s, pinned by --rate)"
    assert Conditions(scale="small").describe() == "small"
    assert Conditions(scale="small").short() == "small"


def test_a_rate_that_followed_the_closed_runs_between_units_is_named_in_turn_and_averaged(
    tmp_path: Path,
) -> None:
    """Two closed runs before the units (250 and 262/s) set 128/s; two more between them
    (240 after unit 8, 230 after unit 16) moved it to 125 and then to 122.5/s. The verdict
    is judged at the units' mean rate, as a share of the median of all four runs."""
    claim = load_claims(claim_file(tmp_path, DB_LOAD)).claims[0]
    rows = db_rows(4, ratio=0.3)
    rows += load_rows("all-on", "closed", 0, throughput=600.0)
    for repetition, throughput in enumerate([250.0, 262.0, 240.0, 230.0]):
        rows += load_rows("all-off", "closed", repetition, throughput=throughput)
    steps = [
        {"before_unit": 8, "arm": "all-off", "capacity": 250.0, "runs": 3,
         "rate_before": 128.0, "rate": 125.0},
        {"before_unit": 16, "arm": "all-off", "capacity": 245.0, "runs": 4,
         "rate_before": 125.0, "rate": 122.5},
    ]  # fmt: skip
    manifest = {"open_rate": 125.2, "rate_followed": steps}
    where = judge(claim, folder(tmp_path, rows, manifest=manifest)).conditions
    assert where.rates_followed == (128.0, 125.0, 122.5) and where.followed
    assert (where.capacity_per_s, where.capacity_runs) == (245.0, 4)
    assert where.load() == (
        "125.2/s offered on average (51 % of capacity, 245/s: all-off, median of 4 closed "
        "runs; the rate followed the closed runs between the units: 128 -> 125 -> 122.5/s)"
    )
    held = Conditions(rate_per_s=128.0, capacity_per_s=256.0, rates_followed=(128.0, 128.0))
    assert not held.followed and held.load() == "128/s offered (50 % of capacity, 256/s)"
