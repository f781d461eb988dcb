"""Each hot portal query and write, indexed vs unindexed, on the same data.

Timing method: the portal's own data-access function over its own async
connection (client round trip included), as pytest-benchmark measures it.
Every round runs in a transaction of its own, as a request does; a write's
transaction is rolled back after its round (untimed), so neither the data nor
the next round drifts, and its time covers the statements, not a commit's WAL
flush. The arms run in blocks, on, off, off, on (``benchmarks/arms.py``),
rounds per block from the run profile (``--rounds``, ``benchmarks/rounds.py``). One
parametrised benchmark over the series of ``benchmarks/query_cases.py``.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from pytest_benchmark.fixture import BenchmarkFixture
from sqlalchemy import text

from benchmarks.arms import INDEX_ARM_LABEL
from benchmarks.conftest import IndexArm, Rounds, Row, calibrate, measure, pick_row
from benchmarks.query_cases import CASES, QueryCase
from benchmarks.reference import Reference
from benchmarks.rounds import RoundsPlan

SELECT_ONE = text("SELECT 1")


def cases_to_run(config: pytest.Config) -> list[QueryCase]:
    growth_only = config.getoption("--growth-only")
    return [case for case in CASES if case.growth or not growth_only]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        cases = cases_to_run(metafunc.config)
        metafunc.parametrize("case", cases, ids=[case.series for case in cases])


@pytest.fixture(scope="session")
def picked(bench_db: psycopg.Connection[Row], request: pytest.FixtureRequest) -> dict[str, Row]:
    """Each series' parameters, picked once (the same for every arm and block)."""
    return {
        case.series: pick_row(bench_db, case.pick, case.series)
        for case in cases_to_run(request.config)
    }


def test_query(
    benchmark: BenchmarkFixture,
    index_arm: IndexArm,
    picked: dict[str, Row],
    table_rows: dict[str, int],
    rounds_plan: RoundsPlan,
    sized_rounds: dict[tuple[str, str], Rounds],
    request: pytest.FixtureRequest,
    case: QueryCase,
) -> None:
    params = picked[case.series]
    runner = index_arm.runner
    conn = runner.conn

    def setup() -> None:
        # A fresh transaction per round, as a request has (the teardown rolled
        # the last one back; this also ends one a previous series left open).
        runner.run(conn.rollback())
        for statement in case.prepare:
            runner.run(conn.execute(statement, params))

    def teardown() -> None:
        runner.run(conn.rollback())

    def target() -> Any:
        return runner.run(case.call(conn, params))

    benchmark.group = case.series
    benchmark.extra_info.update(
        suite="queries",
        series=case.series,
        operation=case.operation,
        variant=case.variant,
        arm=INDEX_ARM_LABEL[index_arm.indexes],
        cache="-",
        warm="-",
        indexes=index_arm.indexes,
        block=index_arm.block,
        scale=request.config.getoption("--scale"),
        size_table=case.size_table,
        size_rows=table_rows[case.size_table],
        params={key: str(value) for key, value in params.items()},
    )
    key = (case.series, index_arm.indexes)
    rounds = calibrate(sized_rounds, key, rounds_plan, target, setup, teardown)
    # Timed before the setup, whose rollback ends the reference's transaction.
    reference = Reference(lambda: runner.run(conn.execute(SELECT_ONE)))
    result = measure(benchmark, target, rounds, setup=reference.before(setup), teardown=teardown)
    assert case.answered(result), f"{case.series}: unexpected answer {result!r}"
    benchmark.extra_info.update(reference=reference.measured(rounds.warmup_rounds, rounds.rounds))
