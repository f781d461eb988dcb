"""Each hot portal query and write, indexed vs unindexed, on the same data.

Timing method: the portal's own data-access function over its own async
connection (client round trip included), as pytest-benchmark measures it.
Every round runs in a transaction of its own, as a request does; a write's
transaction is rolled back after its round (untimed), so neither the data nor
the next round drifts, and its time covers the statements, not a commit's WAL
flush. The arms run in blocks, on, off, off, on (``benchmarks/arms.py``),
rounds per block from the profile (``benchmarks/profiles.py``). One
parametrised benchmark over the series of ``benchmarks/query_cases.py``.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.conftest import IndexArm, Row, calibrate, measure, pick_row
from benchmarks.profiles import Profile
from benchmarks.query_cases import CASES, QueryCase


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        growth_only = metafunc.config.getoption("--growth-only")
        cases = [case for case in CASES if case.growth or not growth_only]
        metafunc.parametrize("case", cases, ids=[case.series for case in cases])


@pytest.fixture(scope="session")
def picked(bench_db: psycopg.Connection[Row]) -> dict[str, Row]:
    """Each series' parameters, picked once (the same for every arm and block)."""
    return {case.series: pick_row(bench_db, case.pick, case.series) for case in CASES}


def test_query(
    benchmark: BenchmarkFixture,
    index_arm: IndexArm,
    picked: dict[str, Row],
    table_rows: dict[str, int],
    profile: Profile,
    request: pytest.FixtureRequest,
    case: QueryCase,
) -> None:
    params = picked[case.series]
    runner = index_arm.runner
    conn = runner.conn

    def setup() -> None:
        runner.run(conn.rollback())  # a fresh transaction per round, as a request has
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
        cache="-",
        warm="-",
        indexes=index_arm.indexes,
        block=index_arm.block,
        scale=request.config.getoption("--scale"),
        size_table=case.size_table,
        size_rows=table_rows[case.size_table],
        write=case.write,
        params={key: str(value) for key, value in params.items()},
    )
    rounds = calibrate(profile, target, setup, teardown)
    result = measure(benchmark, target, rounds, setup=setup, teardown=teardown)
    assert case.answered(result), f"{case.series}: unexpected answer {result!r}"
