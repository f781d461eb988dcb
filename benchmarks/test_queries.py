"""Each hot portal query and write, indexed vs unindexed, on the same data.

Timing method: the portal's own data-access function over its own async
connection (client round trip included), as pytest-benchmark measures it.
Every round runs in a transaction of its own, as a request does; a write's
transaction is rolled back after its round (untimed), so neither the data nor
the next round drifts, and its time covers the statements, not a commit's WAL
flush. The arms run in blocks, on, off, off, on (``benchmarks/arms.py``),
rounds per block from the profile (``benchmarks/profiles.py``).

One parametrised benchmark; a series is a row of ``CASES``: operation and
variant (``orders.list_for_user[heavy]``), the table whose size it grows with,
how its parameters are picked from the data, the call, a check that the call
answered, and for writes what to arrange before each round.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from pytest_benchmark.fixture import BenchmarkFixture
from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncConnection

from benchmarks.conftest import IndexArm, Row, calibrate, measure, pick_row
from benchmarks.picks import BUYERS, RANKS, Rank, ranked
from benchmarks.profiles import Profile
from portal.queries.cart import add_to_cart, cart_for_user, set_cart_quantity
from portal.queries.order_reports import recent_orders_for_admin
from portal.queries.orders import checkout, orders_for_user
from portal.queries.products import ProductFilter, search_products
from portal.queries.wallet import top_up, wallet_for_user

PAGE = 20
Call = Callable[[AsyncConnection, Row], Awaitable[Any]]


@dataclass(frozen=True)
class QueryCase:
    operation: str  # the @operation name, as in metrics, claims and the report
    variant: str
    size_table: str  # the table whose rows the cost grows with
    pick: str  # SQL returning one row: the parameters of the call
    call: Call
    answered: Callable[[Any], bool]
    prepare: tuple[TextClause, ...] = ()  # writes: arranged before each round, untimed
    write: bool = False  # rolled back after every round
    growth: bool = False  # fitted across data sizes by the growth mode

    @property
    def series(self) -> str:
        return f"{self.operation}[{self.variant}]"


def _search(filters: Callable[[Row], ProductFilter], sort: str = "id") -> Call:
    return lambda conn, p: search_products(
        conn,
        filters=filters(p),
        sort=sort,  # type: ignore[arg-type]  # one of ProductSort, by the table below
        limit=PAGE,
        offset=0,
    )


def _user(table: str, rank: Rank, *, buyers: bool = True) -> str:
    return f"SELECT ({ranked(table, 'user_id', rank, among=BUYERS if buyers else None)}) AS user_id"


def _per_rank(make: Callable[[Rank], QueryCase]) -> list[QueryCase]:
    return [make(rank) for rank in RANKS]


_REGION_VARIANT = {"heavy": "busiest-region", "median": "median-region", "light": "smallest-region"}

# Checkout needs a cart it can buy and money to pay: two cheap in-stock
# products and a topped-up wallet, arranged inside the round's transaction.
_CHECKOUT_PREPARE = (
    text("DELETE FROM cart_items WHERE user_id = :user_id"),
    text(
        "INSERT INTO cart_items (user_id, product_id, quantity, added_at)"
        " SELECT :user_id, id, 1, now() FROM products WHERE active AND stock > 0"
        " ORDER BY price_cents, id LIMIT 2"
    ),
    text("UPDATE wallets SET balance_cents = balance_cents + 100000000 WHERE user_id = :user_id"),
)

CASES: list[QueryCase] = [
    *_per_rank(
        lambda rank: QueryCase(
            "orders.list_for_user",
            rank,
            "orders",
            _user("orders", rank),
            lambda conn, p: orders_for_user(conn, user_id=p["user_id"], limit=PAGE),
            lambda rows: bool(rows),
            growth=True,
        )
    ),
    *_per_rank(
        lambda rank: QueryCase(
            "products.search",
            _REGION_VARIANT[rank],
            "products",
            f"SELECT ({ranked('products', 'region_id', rank)}) AS region_id",
            _search(lambda p: ProductFilter(region_id=p["region_id"], active=True)),
            lambda page: bool(page[0]),
            growth=True,
        )
    ),
    QueryCase(
        "products.search",
        "category",
        "products",
        f"SELECT ({ranked('products', 'category', 'median')}) AS category",
        _search(lambda p: ProductFilter(category=p["category"], active=True)),
        lambda page: bool(page[0]),
    ),
    QueryCase(
        "products.search",
        "price-range",
        "products",
        "SELECT percentile_disc(0.45) WITHIN GROUP (ORDER BY price_cents) AS low,"
        " percentile_disc(0.55) WITHIN GROUP (ORDER BY price_cents) AS high FROM products",
        _search(
            lambda p: ProductFilter(min_price_cents=p["low"], max_price_cents=p["high"]),
            sort="price",
        ),
        lambda page: bool(page[0]),
        growth=True,
    ),
    # A product code as printed on a label: the trigram indexes' case.
    QueryCase(
        "products.search",
        "text",
        "products",
        "SELECT lower(substring(name from '[^ ]+$')) AS term FROM products"
        " ORDER BY id OFFSET (SELECT count(*) / 2 FROM products) LIMIT 1",
        _search(lambda p: ProductFilter(q=p["term"])),
        lambda page: bool(page[0]),
        growth=True,
    ),
    *_per_rank(
        lambda rank: QueryCase(
            "wallet.for_user",
            rank,
            "wallet_transactions",
            _user("wallet_transactions", rank),
            lambda conn, p: wallet_for_user(conn, user_id=p["user_id"], recent=PAGE),
            lambda wallet: bool(wallet["transactions"]),
            growth=True,
        )
    ),
    *_per_rank(
        lambda rank: QueryCase(
            "cart.for_user",
            rank,
            "cart_items",
            _user("cart_items", rank, buyers=False),
            lambda conn, p: cart_for_user(conn, user_id=p["user_id"]),
            lambda cart: bool(cart["items"]),
        )
    ),
    QueryCase(
        "orders.recent_for_admin",
        "rarest-status",
        "orders",
        "SELECT status FROM orders GROUP BY status ORDER BY count(*), status LIMIT 1",
        lambda conn, p: recent_orders_for_admin(conn, status=p["status"], limit=PAGE),
        lambda rows: bool(rows),
    ),
    # Writes: rolled back after every round.
    *_per_rank(
        lambda rank: QueryCase(
            "cart.add_item",
            rank,
            "cart_items",
            f"SELECT u.user_id, (SELECT min(p.id) FROM products p WHERE p.active AND NOT EXISTS"
            f" (SELECT 1 FROM cart_items c WHERE c.user_id = u.user_id AND c.product_id = p.id))"
            f" AS product_id FROM ({_user('cart_items', rank, buyers=False)}) u",
            lambda conn, p: add_to_cart(
                conn, user_id=p["user_id"], product_id=p["product_id"], quantity=1
            ),
            lambda item: item["quantity"] == 1,
            write=True,
        )
    ),
    *_per_rank(
        lambda rank: QueryCase(
            "cart.set_quantity",
            rank,
            "cart_items",
            f"SELECT u.user_id, (SELECT min(id) FROM cart_items c WHERE c.user_id = u.user_id)"
            f" AS item_id FROM ({_user('cart_items', rank, buyers=False)}) u",
            lambda conn, p: set_cart_quantity(
                conn, user_id=p["user_id"], item_id=p["item_id"], quantity=7
            ),
            lambda item: item is not None and item["quantity"] == 7,
            write=True,
        )
    ),
    *_per_rank(
        lambda rank: QueryCase(
            "wallet.top_up",
            rank,
            "wallet_transactions",
            _user("wallet_transactions", rank),
            lambda conn, p: top_up(conn, user_id=p["user_id"], amount_cents=100),
            lambda done: done["transaction"]["amount_cents"] == 100,
            write=True,
        )
    ),
    *_per_rank(
        lambda rank: QueryCase(
            "orders.checkout",
            rank,
            "orders",
            _user("orders", rank),
            lambda conn, p: checkout(conn, user_id=p["user_id"]),
            lambda order: len(order["items"]) == 2,
            prepare=_CHECKOUT_PREPARE,
            write=True,
        )
    ),
]


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
