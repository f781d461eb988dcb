"""Benchmark fixtures: services, a dataset at ``--scale``, the index arms, rounds by ``--rounds``.

The dataset lives in database ``perfproof_<scale>`` on the configured or
embedded server and is generated only when its fingerprint does not match.

The index arms run interleaved, in blocks (``benchmarks/arms.py``), each
block with its share of every benchmark's rounds, so a drift during the run
falls on both arms alike instead of on whichever ran second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import psycopg
import pytest
from psycopg.rows import dict_row
from pytest_benchmark.fixture import BenchmarkFixture
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from benchmarks.arms import INDEX_ARM_LABEL, index_blocks
from benchmarks.fixtures import stack as stack  # the shared session fixture
from benchmarks.rounds import RoundsPlan, parse_rounds
from portal.datagen import SCALES, LoadResult, database_for, load_dataset
from portal.db.engine import create_engine
from portal.db.indexes import IndexState, set_indexes
from portal.devstack import Services, ensure_database
from portal.monitoring.slow import LOGGER_NAME as SLOW_LOGGER
from portal.settings import Settings

T = TypeVar("T")
Row = dict[str, Any]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("perfproof")
    group.addoption("--scale", default="small", choices=sorted(SCALES), help="dataset scale")
    group.addoption("--seed", type=int, default=1, help="dataset seed")
    group.addoption(
        "--rounds",
        type=parse_rounds,
        default=None,
        help="budget_s=S,min_rounds=N,max_rounds=N,warmup_rounds=N,blocks=N: a run profile's "
        "rounds (perfproof bench passes its profile's, perfproof/profiles.py)",
    )
    group.addoption(
        "--growth-only", action="store_true", help="only the queries the growth mode fits"
    )
    group.addoption(
        "--slow-log",
        type=Path,
        default=None,
        help="write the portal's slow-statement warnings here instead of the terminal",
    )


_SLOW_LOG = pytest.StashKey[logging.Handler]()


def pytest_configure(config: pytest.Config) -> None:
    """Slow-statement warnings go to a file: unindexed arms would flood the terminal."""
    path: Path | None = config.getoption("--slow-log", default=None)
    if path is None:
        return
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    slow = logging.getLogger(SLOW_LOGGER)
    slow.addHandler(handler)
    slow.propagate = False
    config.stash[_SLOW_LOG] = handler


def pytest_unconfigure(config: pytest.Config) -> None:
    handler = config.stash.get(_SLOW_LOG, None)
    if handler is not None:
        slow = logging.getLogger(SLOW_LOGGER)
        slow.removeHandler(handler)
        slow.propagate = True
        handler.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect an endpoint arm in an index block of the other state (``arm.indexes``)."""
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        params = getattr(item, "callspec", None)
        arm = params.params.get("arm") if params is not None else None
        block = params.params.get("index_arm") if params is not None else None
        mismatch = arm is not None and block is not None and arm.indexes != block[0]
        (dropped if mismatch else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def rounds_plan_of(config: pytest.Config) -> RoundsPlan:
    """The ``--rounds`` given; without it the suites do not guess a budget of their own."""
    plan: RoundsPlan | None = config.getoption("--rounds")
    if plan is None:
        raise pytest.UsageError(
            "--rounds is required: run the suites with perfproof bench --profile NAME, which "
            "passes that profile's rounds"
        )
    return plan


@pytest.fixture(scope="session")
def rounds_plan(request: pytest.FixtureRequest) -> RoundsPlan:
    return rounds_plan_of(request.config)


@pytest.fixture(scope="session")
def dataset(stack: Services, request: pytest.FixtureRequest) -> tuple[str, LoadResult]:
    """The URL of ``perfproof_<scale>`` with the dataset in it, and what was loaded."""
    scale = request.config.getoption("--scale")
    url = ensure_database(stack.database_url, database_for(scale))
    loaded = load_dataset(url, scale=scale, seed=request.config.getoption("--seed"), progress=False)
    return url, loaded


@pytest.fixture(scope="session")
def bench_database(dataset: tuple[str, LoadResult]) -> str:
    return dataset[0]


def vacuum(database_url: str) -> None:
    """VACUUM the benchmark database, so every block starts from the same tables.

    The write benchmarks roll their rounds back, and a rolled-back row is still a dead
    tuple until a vacuum: the scans of later series (and later runs) over those tables
    grew slower until autovacuum came by, at a moment of its own choosing. Seen in A/A
    runs of the regression gate: the unindexed cart series, the admin's rarest-status
    orders, a products scan and the wallet top-ups 11-22 % slower or faster together
    from one run to the next. Cheap when there is little to do (the visibility map).
    """
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM")


@pytest.fixture(scope="session")
def table_rows(dataset: tuple[str, LoadResult]) -> dict[str, int]:
    """Generated rows per table: the data size each series is measured at."""
    return dict(dataset[1].rows)


@pytest.fixture(scope="session")
def bench_db(bench_database: str) -> Iterator[psycopg.Connection[Row]]:
    with psycopg.connect(bench_database, autocommit=True, row_factory=dict_row) as conn:
        yield conn


def pick_row(conn: psycopg.Connection[Row], sql: str, what: str) -> Row:
    """The one row a benchmark's parameters come from; fails naming the benchmark."""
    row = conn.execute(sql).fetchone()
    assert row is not None and None not in row.values(), f"{what}: nothing to pick ({sql})"
    return row


class AsyncRunner:
    """Runs the portal's async code from synchronous benchmarks, on one loop and connection."""

    def __init__(self, database_url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.interrupted = False
        try:
            self.engine: AsyncEngine = create_engine(Settings(database_url=database_url))
            self.conn: AsyncConnection = self.loop.run_until_complete(self.engine.connect())
        except BaseException:
            self.loop.close()
            raise

    def run(self, work: Awaitable[T]) -> T:
        try:
            return self.loop.run_until_complete(work)
        except KeyboardInterrupt:
            self.interrupted = True  # whatever was awaited is still on the loop, half done
            raise

    def close_after(self, work: Callable[[], Awaitable[object]]) -> None:
        """Run a clean-up; after Ctrl-C, first cancel what was in flight, and let a failure be.

        An interrupted statement leaves its connection broken (the server rolls
        the transaction back when it goes): a clean-up that fails on it then is
        no news, and must not bury the interrupt under a traceback.
        """
        if not self.interrupted:
            self.loop.run_until_complete(work())
            return
        pending = [task for task in asyncio.all_tasks(self.loop) if not task.done()]
        for task in pending:
            task.cancel()
        with contextlib.suppress(BaseException):
            self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.run_until_complete(work())

    def close(self) -> None:
        try:
            self.close_after(self.conn.close)
        finally:
            try:
                self.close_after(self.engine.dispose)
            finally:
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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The index blocks of ``--rounds``: how many of each arm is the run profile's to say."""
    if "index_arm" in metafunc.fixturenames:
        blocks = index_blocks(rounds_plan_of(metafunc.config).blocks)
        metafunc.parametrize(
            "index_arm", blocks, indirect=True, scope="module",
            ids=[f"{INDEX_ARM_LABEL[state]}-{block}" for state, block in blocks],
        )  # fmt: skip


@pytest.fixture(scope="module")
def index_arm(request: pytest.FixtureRequest, indexed_afterwards: str) -> Iterator[IndexArm]:
    """Switch the indexes for this block.

    The arm's connection opens after the switch and closes before the next
    one (DROP INDEX waits for every open transaction on the table).
    """
    state, block = request.param
    set_indexes(indexed_afterwards, state)
    vacuum(indexed_afterwards)
    runner = AsyncRunner(indexed_afterwards)
    try:
        yield IndexArm(state, block, runner)
    finally:
        runner.close()


@dataclass(frozen=True)
class Rounds:
    """One benchmark's rounds, sized from one timed call and the profile's budget."""

    rounds: int
    warmup_rounds: int
    calibration_s: float


@pytest.fixture(scope="session")
def sized_rounds() -> dict[tuple[str, str], Rounds]:
    """Rounds per (series, arm), sized in the arm's first block and kept for its second.

    Both blocks of an arm then weigh the same when their rounds are pooled.
    """
    return {}


def calibrate(
    known: dict[tuple[str, str], Rounds],
    key: tuple[str, str],
    plan: RoundsPlan,
    target: Callable[[], object],
    setup: Callable[[], object] | None = None,
    teardown: Callable[[], object] | None = None,
) -> Rounds:
    """The rounds of ``key``: sized now, from a call timed after one warm-up call, if new."""
    if key not in known:
        seconds = 0.0
        for _ in range(2):  # the first call warms up, the second is timed
            if setup is not None:
                setup()
            started = time.perf_counter()
            target()
            seconds = time.perf_counter() - started
            if teardown is not None:
                teardown()
        known[key] = Rounds(plan.rounds_for(seconds), plan.warmup_rounds, seconds)
    return known[key]


def measure(
    benchmark: BenchmarkFixture,
    target: Callable[[], T],
    rounds: Rounds,
    *,
    setup: Callable[[], object] | None = None,
    teardown: Callable[[], object] | None = None,
) -> T:
    """``benchmark.pedantic`` with its result typed (pytest-benchmark's API is untyped).

    ``setup`` and ``teardown`` run around every round, untimed.
    """
    pedantic = cast(Callable[..., Any], benchmark.pedantic)
    benchmark.extra_info.update(rounds=rounds.rounds, calibration_s=rounds.calibration_s)
    try:
        result = pedantic(
            target,
            setup=setup,
            teardown=(lambda *_: teardown()) if teardown is not None else None,
            rounds=rounds.rounds,
            warmup_rounds=rounds.warmup_rounds,
            iterations=1,
        )
    except BaseException:
        # pytest-benchmark marks errors only for Exception: a benchmark cut
        # short by Ctrl-C would be saved with no rounds, and saving it fails
        # (min() of nothing), losing every benchmark measured before it.
        benchmark.has_error = True
        raise
    return cast(T, result)
