"""Each portal query, indexed vs unindexed, on the same data.

Timing method: the portal's own data-access function over its own async
connection (client round trip included), as pytest-benchmark measures it.
The arms run in blocks, on, off, off, on (``benchmarks/arms.py``): each block
times ``ROUNDS_PER_BLOCK`` rounds after its own warm-up, and an arm's figure
pools the rounds of its blocks.
One parametrised benchmark; an operation is a row of ``CASES``: the label the
summary prints, how to pick its parameters from the data, the call, and a
check that the call answered something.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from pytest_benchmark.fixture import BenchmarkFixture
from sqlalchemy.ext.asyncio import AsyncConnection

from benchmarks.arms import INDEX_BLOCKS
from benchmarks.conftest import IndexArm, measure
from portal.queries.cart import cart_for_user
from portal.queries.order_reports import recent_orders_for_admin
from portal.queries.orders import orders_for_user
from portal.queries.products import ProductFilter, search_products
from portal.queries.wallet import wallet_for_user

PAGE = 20
ROUNDS = 30  # per operation and arm, over all of the arm's blocks
WARMUP_ROUNDS = 3  # per block: the switch left other pages in the caches
ROUNDS_PER_BLOCK = ROUNDS // sum(1 for state, _ in INDEX_BLOCKS if state == "on")
# The buyer with the most orders: the history query's worst case.
HEAVY_USER = "SELECT user_id FROM orders GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1"


@dataclass(frozen=True)
class Case:
    operation: str  # the label of the summary (and of the claims that cite it)
    pick: str  # SQL returning the one value the call needs
    call: Callable[[AsyncConnection, Any], Coroutine[Any, Any, Any]]
    answered: Callable[[Any], bool]


def _search(filters: Callable[[Any], ProductFilter]) -> Callable[[AsyncConnection, Any], Any]:
    return lambda conn, value: search_products(
        conn, filters=filters(value), sort="id", limit=PAGE, offset=0
    )


CASES = [
    Case(
        "orders.list_for_user",
        HEAVY_USER,
        lambda conn, user: orders_for_user(conn, user_id=user, limit=PAGE),
        lambda rows: len(rows) == PAGE,
    ),
    Case(
        "products.search",
        "SELECT region_id FROM products GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
        _search(lambda region: ProductFilter(region_id=region, active=True)),
        lambda page: bool(page[0]),
    ),
    # The smallest region: where the primary key read in id order wades
    # through other regions' rows and idx_products_region_active can pay.
    Case(
        "products.search:small_region",
        "SELECT region_id FROM products GROUP BY 1 ORDER BY count(*), 1 LIMIT 1",
        _search(lambda region: ProductFilter(region_id=region, active=True)),
        lambda page: bool(page[0]),
    ),
    # A product code as printed on a label: the trigram indexes' case.
    Case(
        "products.search:text",
        "SELECT lower(substring(name from '[^ ]+$')) FROM products"
        " ORDER BY id OFFSET (SELECT count(*) / 2 FROM products) LIMIT 1",
        _search(lambda term: ProductFilter(q=term)),
        lambda page: bool(page[0]),
    ),
    Case(
        "wallet.for_user",
        HEAVY_USER,
        lambda conn, user: wallet_for_user(conn, user_id=user, recent=PAGE),
        lambda wallet: bool(wallet["transactions"]),
    ),
    Case(
        "cart.for_user",
        "SELECT user_id FROM cart_items GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
        lambda conn, user: cart_for_user(conn, user_id=user),
        lambda cart: bool(cart["items"]),
    ),
    Case(
        "orders.recent_for_admin",
        "SELECT status FROM orders GROUP BY status ORDER BY count(*), status LIMIT 1",
        lambda conn, status: recent_orders_for_admin(conn, status=status, limit=PAGE),
        lambda rows: bool(rows),
    ),
]


@pytest.fixture(scope="session")
def picked(bench_db: psycopg.Connection) -> dict[str, Any]:
    """Each case's parameter, picked once (the same for every arm and block)."""
    values = {}
    for case in CASES:
        row = bench_db.execute(case.pick).fetchone()
        assert row is not None, f"{case.operation}: nothing to pick ({case.pick})"
        values[case.operation] = row[0]
    return values


@pytest.mark.parametrize("case", CASES, ids=[case.operation for case in CASES])
def test_query(
    benchmark: BenchmarkFixture,
    index_arm: IndexArm,
    picked: dict[str, Any],
    case: Case,
) -> None:
    value = picked[case.operation]
    runner = index_arm.runner
    benchmark.group = case.operation
    benchmark.extra_info.update(
        operation=case.operation, indexes=index_arm.indexes, block=index_arm.block
    )
    result = measure(
        benchmark,
        lambda: runner.loop.run_until_complete(case.call(runner.conn, value)),
        rounds=ROUNDS_PER_BLOCK,
        warmup_rounds=WARMUP_ROUNDS,
    )
    assert case.answered(result)
