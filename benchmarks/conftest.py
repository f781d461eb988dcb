"""Benchmark fixtures: services, a dataset at ``--scale``, the index arms.

The dataset lives in database ``perfproof_<scale>`` on the configured or
embedded server and is generated only when its fingerprint does not match.

The index arms run interleaved, in blocks (``benchmarks/arms.py``), each
block with its share of every benchmark's rounds, so a drift during the run
falls on both arms alike instead of on whichever ran second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import psycopg
import pytest
from pytest_benchmark.fixture import BenchmarkFixture
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from benchmarks.arms import INDEX_ARM_LABEL, INDEX_BLOCKS
from benchmarks.fixtures import stack as stack  # the shared session fixture
from portal.datagen import SCALES, load_dataset
from portal.db.engine import create_engine
from portal.db.indexes import IndexState, set_indexes
from portal.devstack import Services, ensure_database
from portal.settings import Settings


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("perfproof")
    group.addoption("--scale", default="small", choices=sorted(SCALES), help="dataset scale")
    group.addoption("--seed", type=int, default=1, help="dataset seed")


@pytest.fixture(scope="session")
def bench_database(stack: Services, request: pytest.FixtureRequest) -> str:
    scale = request.config.getoption("--scale")
    url = ensure_database(stack.database_url, f"perfproof_{scale}")
    load_dataset(url, scale=scale, seed=request.config.getoption("--seed"), progress=False)
    return url


@pytest.fixture(scope="session")
def bench_db(bench_database: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(bench_database, autocommit=True) as conn:
        yield conn


T = TypeVar("T")


class AsyncRunner:
    """Runs the portal's async data-access functions from synchronous benchmarks."""

    def __init__(self, database_url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.engine: AsyncEngine = create_engine(Settings(database_url=database_url))
        self.conn: AsyncConnection = self.loop.run_until_complete(self.engine.connect())

    def close(self) -> None:
        self.loop.run_until_complete(self.conn.close())
        self.loop.run_until_complete(self.engine.dispose())
        self.loop.close()


@dataclass(frozen=True)
class IndexArm:
    """One block of one index arm: the state switched to, and a connection opened after it."""

    indexes: IndexState
    block: int
    runner: AsyncRunner


@pytest.fixture(scope="session")
def indexed_afterwards(bench_database: str) -> Iterator[str]:
    """The benchmark database, with its indexes on again when the session ends."""
    yield bench_database
    set_indexes(bench_database, "on")


@pytest.fixture(
    scope="module",
    params=INDEX_BLOCKS,
    ids=[f"{INDEX_ARM_LABEL[state]}-{block}" for state, block in INDEX_BLOCKS],
)
def index_arm(request: pytest.FixtureRequest, indexed_afterwards: str) -> Iterator[IndexArm]:
    """Switch the indexes for this block.

    The arm's connection opens after the switch and closes before the next
    one (DROP INDEX waits for every open transaction on the table).
    """
    state, block = request.param
    set_indexes(indexed_afterwards, state)
    runner = AsyncRunner(indexed_afterwards)
    try:
        yield IndexArm(state, block, runner)
    finally:
        runner.close()


def measure(
    benchmark: BenchmarkFixture, target: Callable[[], T], *, rounds: int, warmup_rounds: int
) -> T:
    """``benchmark.pedantic`` with its result typed (pytest-benchmark's API is untyped)."""
    pedantic = cast(Callable[..., Any], benchmark.pedantic)
    return cast(T, pedantic(target, rounds=rounds, warmup_rounds=warmup_rounds, iterations=1))
