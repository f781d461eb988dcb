"""Each portal query, indexed vs unindexed, on the same data.

Timing method: the portal's own data-access function over its own async
connection (client round trip included), as pytest-benchmark measures it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import psycopg
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.conftest import AsyncRunner
from portal.queries.cart import cart_for_user
from portal.queries.orders import orders_for_user
from portal.queries.products import ProductFilter, search_products
from portal.queries.wallet import wallet_for_user


@pytest.fixture(scope="module")
def heavy_user(bench_db: psycopg.Connection) -> int:
    """The buyer with the most orders: the history query's worst case."""
    return bench_db.execute(
        "SELECT user_id FROM orders GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1"
    ).fetchone()[0]  # type: ignore[index]


@pytest.fixture(scope="module")
def busiest_region(bench_db: psycopg.Connection) -> int:
    return bench_db.execute(
        "SELECT region_id FROM products GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]  # type: ignore[index]


@pytest.fixture(scope="module")
def cart_user(bench_db: psycopg.Connection) -> int:
    return bench_db.execute(
        "SELECT user_id FROM cart_items GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    ).fetchone()[0]  # type: ignore[index]


def measure(
    benchmark: BenchmarkFixture,
    runner: AsyncRunner,
    operation: str,
    indexes: str,
    query: Callable[[], Coroutine[Any, Any, Any]],
) -> Any:
    benchmark.group = operation
    benchmark.extra_info.update(operation=operation, indexes=indexes)
    return benchmark.pedantic(
        lambda: runner.loop.run_until_complete(query()), rounds=30, warmup_rounds=3, iterations=1
    )


def test_orders_list_for_user(
    benchmark: BenchmarkFixture, runner: AsyncRunner, indexes: str, heavy_user: int
) -> None:
    rows = measure(
        benchmark, runner, "orders.list_for_user", indexes,
        lambda: orders_for_user(runner.conn, user_id=heavy_user, limit=20),
    )  # fmt: skip
    assert len(rows) == 20


def test_products_search_by_region(
    benchmark: BenchmarkFixture, runner: AsyncRunner, indexes: str, busiest_region: int
) -> None:
    filters = ProductFilter(region_id=busiest_region, active=True)
    rows, _ = measure(
        benchmark, runner, "products.search", indexes,
        lambda: search_products(runner.conn, filters=filters, sort="id", limit=20, offset=0),
    )  # fmt: skip
    assert rows


def test_wallet_for_user(
    benchmark: BenchmarkFixture, runner: AsyncRunner, indexes: str, heavy_user: int
) -> None:
    wallet = measure(
        benchmark, runner, "wallet.for_user", indexes,
        lambda: wallet_for_user(runner.conn, user_id=heavy_user, recent=20),
    )  # fmt: skip
    assert wallet["transactions"]


def test_cart_for_user(
    benchmark: BenchmarkFixture, runner: AsyncRunner, indexes: str, cart_user: int
) -> None:
    cart = measure(
        benchmark, runner, "cart.for_user", indexes,
        lambda: cart_for_user(runner.conn, user_id=cart_user),
    )  # fmt: skip
    assert cart["items"]
