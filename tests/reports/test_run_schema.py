"""The tidy table's schema: the declared metrics against their writers, and each rule of the check.

The writers (``benchmarks/tidy.py``, ``loadtests/run_files.py``) are run here on
inputs that take every branch they have — an endpoint round with its
statements, ``X-Cache`` and reference; a closed and an open load run with
cache answers, the database's and Redis's counters (their names from
``loadtests/server_counters.py``) and a real CPU meter — so a metric a writer starts
to emit without declaring it in ``reports/run_schema/metrics.py`` fails here.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from benchmarks.tidy import observations as benchmark_rows
from loadtests.arm_run import ArmRun
from loadtests.arms import ARMS_BY_NAME
from loadtests.cpu import CpuMeter
from loadtests.recorder import Recorder
from loadtests.run_files import observations as load_rows
from loadtests.server_counters import DATABASE_COUNTERS, REDIS_COUNTERS
from reports.run_schema import METRICS, RunFolderError, check_tidy, without_unrecorded

TIDY = Path("run/tidy.csv")


def _endpoint_document() -> dict[str, Any]:
    info = {
        "suite": "endpoints",
        "series": "GET /api/wallet[heavy]",
        "operation": "GET /api/wallet",
        "variant": "heavy",
        "arm": "hit",
        "cache": "on",
        "warm": "warm",
        "indexes": "on",
        "scale": "tiny",
        "size_table": "wallet_transactions",
        "size_rows": 1200,
        "block": 1,
        "statements": [1, 0],
        "x_cache": ["MISS", "HIT"],
        "reference": [0.0002, 0.00021],
    }
    return {"benchmarks": [{"extra_info": info, "stats": {"data": [0.0011, 0.0009]}}]}


def _arm_run(model: str, cpu: dict[str, float]) -> ArmRun:
    measured = Recorder(scheduled=10 if model == "open" else 0, late=1 if model == "open" else 0)
    intended = 0.004 if model == "open" else None
    for answer in ("MISS", "HIT"):
        measured.record(
            "GET /api/wallet", 0.003, ok=True, x_cache=answer, second=1, intended_seconds=intended
        )
    return ArmRun(
        arm=ARMS_BY_NAME["all-on"],
        model="open" if model == "open" else "closed",
        repetition=0,
        offered_rps=10.0 if model == "open" else None,
        recorded={"warmup": Recorder(), "measured": measured},
        servers={
            "pg_stat_statements_calls": 7,
            "database": dict.fromkeys(DATABASE_COUNTERS, 3),
            "tables": {"orders": {"seq_scan": 1, "idx_scan": 4}},
            "redis": dict.fromkeys(REDIS_COUNTERS, 1),
            "portal": {"statements": 5.0, "cache_hits": 3.0, "cache_misses": 1.0},
        },
        cpu=cpu,
        portal_statements=5.0,
        generator_processes=1,
        server_died=False,
        seconds=2.0,
    )


@pytest.fixture(scope="module")
def written() -> pd.DataFrame:
    """Every kind of row both writers emit, as the run folder's tidy table holds them."""
    meter = CpuMeter(generator_pid=os.getpid(), portal_pid=os.getpid())
    meter.start()
    cpu = meter.stop()
    runs = [_arm_run("closed", cpu), _arm_run("open", cpu)]
    rows = [
        *benchmark_rows(_endpoint_document(), run="run"),
        *load_rows(runs, run="run", scale="tiny", rows={"orders": 5000}),
    ]
    return pd.DataFrame(rows)


def test_the_table_declares_exactly_what_the_writers_emit(written: pd.DataFrame) -> None:
    emitted = {
        (str(row["metric"]), str(row["unit"]), str(row["suite"]))
        for row in written.to_dict("records")
    }
    assert {metric for metric, _, _ in emitted} == set(METRICS)
    for metric, unit, suite in emitted:
        assert unit == METRICS[metric].kind.unit, metric
        assert suite in METRICS[metric].suites, metric


def test_whatever_the_writers_emit_passes_the_check(written: pd.DataFrame) -> None:
    check_tidy(written, TIDY)


def _one_row(written: pd.DataFrame, metric: str, value: float | str) -> pd.DataFrame:
    row = written[written["metric"] == metric].head(1).reset_index(drop=True)
    return row.assign(value=pd.Series([value], dtype=object))


@pytest.mark.parametrize(
    ("metric", "value", "accepted"),
    [
        ("time", 1e-6, True),
        ("time", 0.0, False),  # no call takes no time
        ("time", -0.0008, False),
        ("time", math.inf, False),
        ("time", math.nan, False),
        ("reference", 0.0, False),
        ("latency_p99", 0.0, True),  # an empty histogram: none recorded
        ("latency_p99", -0.002, False),
        ("intended_mean", math.inf, False),
        ("statements", 0, True),
        ("statements", -1, False),
        ("requests", 2.5e6, True),
        ("failures", -1, False),
        ("throughput", -0.5, False),
        ("hit_ratio", 1.0, True),
        ("hit_ratio", 1.01, False),
        ("hit_ratio_second", -0.1, False),
        ("cache_hit", 0.5, False),
        ("valid", 1, True),
        ("valid", 2, False),
        ("cpu_portal", 1.7, True),  # several processes: more than one core
        ("cpu_generator", -0.01, False),
        ("db_statements_per_request", math.nan, False),
    ],
)
def test_each_kind_of_figure_has_its_range(
    written: pd.DataFrame, metric: str, value: float, accepted: bool
) -> None:
    frame = _one_row(written, metric, value)
    if accepted:
        check_tidy(frame, TIDY)
        return
    message = _refusal(frame)
    assert message.startswith(f"{TIDY}: line 2 (") and f", {metric}): " in message
    assert message.endswith(METRICS[metric].kind.rule)


def _refusal(frame: pd.DataFrame) -> str:
    with pytest.raises(RunFolderError) as refused:
        check_tidy(frame, TIDY)
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_the_first_bad_line_is_named_and_the_rest_counted(written: pd.DataFrame) -> None:
    frame = written.copy()
    times = frame.index[frame["metric"] == "time"]
    frame.loc[times, "value"] = -frame.loc[times, "value"]
    first = int(times[0]) + 2
    assert _refusal(frame) == (
        f"{TIDY}: line {first} (endpoints GET /api/wallet[heavy] @hit, time): value -0.0011 s: "
        "a time must be finite and > 0 s (and 1 more line with problems)"
    )


def test_text_where_a_number_belongs_is_named(written: pd.DataFrame) -> None:
    assert _refusal(_one_row(written, "time", "fast")).endswith(": value 'fast' is not a number")


@pytest.mark.parametrize("column", ["value", "metric", "arm", "series", "unit", "repetition"])
def test_a_dropped_or_renamed_column_is_named(written: pd.DataFrame, column: str) -> None:
    expected = f"{TIDY}: no column {column}: an older result format, or not a perfproof tidy table"
    assert _refusal(written.drop(columns=[column])) == expected
    assert _refusal(written.rename(columns={column: column.title()})) == expected


def test_a_unit_other_than_the_metrics_is_refused(written: pd.DataFrame) -> None:
    frame = written.copy()
    frame.loc[frame["metric"] == "throughput", "unit"] = "s"
    assert "throughput): unit 's', and throughput is in '1/s'" in _refusal(frame)


def test_a_metric_no_writer_emits_or_in_another_suite_is_refused(written: pd.DataFrame) -> None:
    frame = written.copy()
    frame.loc[frame["metric"] == "cache_hit", "metric"] = "cache_hits"
    assert "unknown metric 'cache_hits'" in _refusal(frame)
    frame = written.copy()
    frame.loc[frame["metric"] == "requests", "suite"] = "endpoints"
    assert "metric requests is not a endpoints metric (it is written by load)" in _refusal(frame)


def test_a_row_without_its_names_or_with_a_broken_round_is_refused(written: pd.DataFrame) -> None:
    frame = written.copy()
    frame.loc[3, "series"] = None
    assert _refusal(frame).startswith(f"{TIDY}: line 5 (endpoints ? @hit,")
    assert _refusal(frame).endswith(": no series")
    frame = written.copy()
    frame["round"] = frame["round"].astype(object)
    frame.loc[0, "round"] = 1.5
    assert _refusal(frame).endswith(": round 1.5 is not a whole number >= 0")


def test_a_figure_measured_twice_is_refused(written: pd.DataFrame) -> None:
    frame = pd.concat([written, written.iloc[[4]]], ignore_index=True)
    assert _refusal(frame).endswith(
        ": repeats line 6 (the same suite, series, arm, variant, scale, repetition, round, metric)"
    )


def test_a_latency_of_nothing_recorded_is_read_as_absent(written: pd.DataFrame) -> None:
    frame = written.copy()
    frame.loc[frame["metric"] == "latency_p50", "value"] = 0.0
    frame.loc[frame["metric"] == "requests", "value"] = 0.0
    kept = without_unrecorded(frame)
    assert "latency_p50" not in set(kept["metric"])
    assert (kept["metric"] == "requests").sum() == (frame["metric"] == "requests").sum()
    assert len(kept) == len(frame) - (frame["metric"] == "latency_p50").sum()


def test_a_refusal_quoting_run_data_stays_one_inert_line(written: pd.DataFrame) -> None:
    frame = written.copy()
    frame["series"] = "GET /api/wallet\n\x1b[2J\u202eheavy"
    frame.loc[0, "value"] = -1.0
    message = _refusal(frame)
    assert message.startswith(f"{TIDY}: line 2 (endpoints GET /api/wallet [2Jheavy @hit, time): ")
    assert not set(message) & {"\x1b", "\u202e", "\r"}
