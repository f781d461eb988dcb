"""Each cached route through the real portal app, cache on (hit, miss) vs off, indexes on vs off.

The portal runs in-process: ``create_app`` with its lifespan, real PostgreSQL
and Redis, real authentication with the dataset's tokens, driven over ASGI
by httpx, so a request takes every step a served one takes except the
socket. Arms (``benchmarks/arms.py``): ``hit`` (cache on and warm: every
round must answer ``X-Cache: HIT``), ``miss`` (cache on, the entry deleted
from Redis before each round, untimed: every round a ``MISS`` that computes
and stores), ``uncached`` (cache off) and ``uncached-unindexed`` (cache off,
indexes off). Beside the times, every round records the SQL statements the
request issued (the portal's own counter) and the ``X-Cache`` it answered; a
round that answered anything but its arm's value fails the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.arms import ENDPOINT_ARMS, EndpointArm, endpoint_arms_for
from benchmarks.conftest import IndexArm, Rounds, Row, calibrate, measure, pick_row
from benchmarks.endpoint_cases import CASES, EndpointCase
from benchmarks.reference import Reference
from benchmarks.rounds import RoundsPlan
from portal import Settings, create_app
from portal.datagen import LoadResult
from portal.datagen.tokens_file import DatasetUser, read_tokens_file
from portal.devstack import Services
from portal.state import PortalState

# The endpoints' reference call (benchmarks/reference.py): the app, a SELECT 1, a Redis PING.
REFERENCE_PATH = "/healthz"


@dataclass(frozen=True)
class Portal:
    """One in-process portal and the client that drives it."""

    app: FastAPI
    client: httpx.AsyncClient

    @property
    def state(self) -> PortalState:
        state: PortalState = self.app.state.portal
        return state


@pytest.fixture(scope="module")
def portals(
    index_arm: IndexArm, stack: Services, bench_database: str
) -> Iterator[dict[str, Portal]]:
    """The portal with the cache on and off for this index block, lifespans running.

    Started with the block's index state, so start-up init leaves the indexes as the
    switch put them.
    """
    runner = index_arm.runner
    exits = AsyncExitStack()
    found: dict[str, Portal] = {}
    try:
        for cache in sorted({arm.cache for arm in endpoint_arms_for(index_arm.indexes)}):
            settings = Settings(
                database_url=bench_database,
                redis_url=stack.redis_url,
                cache=cache,
                indexes=index_arm.indexes,
            )
            app = create_app(settings)
            runner.run(exits.enter_async_context(app.router.lifespan_context(app)))
            transport = httpx.ASGITransport(app=app)
            client = httpx.AsyncClient(transport=transport, base_url="http://portal", timeout=60)
            exits.push_async_callback(client.aclose)
            found[cache] = Portal(app, client)
        yield found
    finally:
        runner.close_after(exits.aclose)


@pytest.fixture(scope="session")
def users(dataset: tuple[str, LoadResult]) -> dict[int, DatasetUser]:
    """The dataset's users, with the tokens they authenticate with."""
    path = dataset[1].tokens_path
    assert path is not None, "the dataset's tokens file"
    return {user.user_id: user for user in read_tokens_file(path)}


@pytest.fixture(scope="session")
def endpoint_picks(bench_db: psycopg.Connection[Row]) -> dict[str, Row]:
    return {case.series: pick_row(bench_db, case.pick, case.series) for case in CASES}


def entry_key(state: PortalState, path: str, user_id: int) -> str:
    """The Redis key the cache stores this request's response under."""
    assert state.cache is not None
    route, _, query = path.partition("?")
    scope = {"type": "http", "method": "GET", "path": route, "root_path": ""}
    matched = state.cache.table.read(scope)
    assert matched is not None, f"{route} is not a cached route"
    request = state.cache.request_for(matched, user_id, query.encode())
    assert request is not None
    return request.entry_key


# Every arm in every block; the conftest deselects an arm in a block of the other
# index state (two separate parameters, so tests group by block and each index
# switch happens once per block).
@pytest.mark.parametrize("arm", ENDPOINT_ARMS, ids=[arm.name for arm in ENDPOINT_ARMS])
@pytest.mark.parametrize("case", CASES, ids=[case.series for case in CASES])
def test_endpoint(
    benchmark: BenchmarkFixture,
    index_arm: IndexArm,
    arm: EndpointArm,
    portals: dict[str, Portal],
    endpoint_picks: dict[str, Row],
    users: dict[int, DatasetUser],
    table_rows: dict[str, int],
    rounds_plan: RoundsPlan,
    sized_rounds: dict[tuple[str, str], Rounds],
    request: pytest.FixtureRequest,
    case: EndpointCase,
) -> None:
    params = endpoint_picks[case.series]
    path = case.path(params)
    headers = users[params["user_id"]].headers
    portal = portals[arm.cache]
    runner = index_arm.runner
    state = portal.state
    answers: list[str] = []  # X-Cache of every call
    statements: list[int] = []  # SQL statements of every call

    def call() -> httpx.Response:
        before = state.statements.count
        response = runner.run(portal.client.get(path, headers=headers))
        statements.append(state.statements.count - before)
        answers.append(response.headers.get("x-cache", "-"))
        return response

    setup: Callable[[], None] | None = None
    if arm.warm == "cold":
        key = entry_key(state, path, params["user_id"])

        def setup() -> None:  # pytest-benchmark takes a returned value for arguments
            runner.run(state.redis.delete(key))

    assert call().status_code == 200, f"{case.series}: {path}"  # warm the token cache, and a hit
    benchmark.group = case.series
    benchmark.extra_info.update(
        suite="endpoints",
        series=case.series,
        operation=f"GET {case.route}",
        variant=case.variant,
        arm=arm.name,
        cache=arm.cache,
        warm=arm.warm,
        indexes=arm.indexes,
        block=index_arm.block,
        scale=request.config.getoption("--scale"),
        size_table=case.size_table,
        size_rows=table_rows[case.size_table],
        path=path,
    )
    rounds = calibrate(sized_rounds, (case.series, arm.name), rounds_plan, call, setup)
    answers.clear()
    statements.clear()
    reference = Reference(lambda: runner.run(portal.client.get(REFERENCE_PATH)))
    assert runner.run(portal.client.get(REFERENCE_PATH)).status_code == 200, REFERENCE_PATH
    response = measure(benchmark, call, rounds, setup=reference.before(setup))
    assert response.status_code == 200
    wanted = arm.expect or "-"
    wrong = [answer for answer in answers if answer != wanted]
    assert not wrong, f"{case.series} in arm {arm.name}: answered {wrong}, wanted {wanted}"
    # pedantic calls the warm-up rounds, then the measured ones, in order.
    measured = slice(rounds.warmup_rounds, rounds.warmup_rounds + rounds.rounds)
    if not benchmark.disabled:
        assert len(answers) == rounds.warmup_rounds + rounds.rounds, "one call per round"
    benchmark.extra_info.update(
        x_cache=answers[measured],
        statements=statements[measured],
        reference=reference.measured(rounds.warmup_rounds, rounds.rounds),
    )
