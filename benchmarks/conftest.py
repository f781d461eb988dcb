"""Benchmark fixtures: services, a dataset at ``--scale``, the index switch.

The dataset lives in database ``perfproof_<scale>`` on the configured or
embedded server and is generated only when its fingerprint does not match.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from benchmarks.fixtures import stack as stack  # the shared session fixture
from portal.datagen import SCALES, load_dataset
from portal.db.engine import create_engine
from portal.db.indexes import set_indexes
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


@pytest.fixture(scope="module", params=["on", "off"], ids=["indexed", "unindexed"])
def indexes(request: pytest.FixtureRequest, bench_database: str) -> Iterator[str]:
    """The index arm; the database is left indexed afterwards."""
    set_indexes(bench_database, request.param)
    yield request.param
    set_indexes(bench_database, "on")


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


@pytest.fixture(scope="module")
def runner(bench_database: str, indexes: str) -> Iterator[AsyncRunner]:
    # One runner per arm: its connection must be closed before the index switch
    # (DROP INDEX waits for every open transaction on the table).
    runner = AsyncRunner(bench_database)
    yield runner
    runner.close()
