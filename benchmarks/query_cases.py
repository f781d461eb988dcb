"""The query suite's series as declared data: one row per operation and variant.

A row names the operation and variant (``orders.list_for_user[heavy]``), the
table whose size its cost grows with, how its parameters are picked from the
data (``benchmarks/picks.py``), the call, a check that the call answered, and
for writes what to arrange before each round. ``growth`` marks the series
the growth mode fits across data sizes. ``benchmarks/test_queries.py``
measures every row; the runner reads the same table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncConnection

from benchmarks.picks import PRICE_BAND, RANKS, TEXT_TERM, Rank, ranked, user
from portal.queries.cart import add_to_cart, cart_for_user, set_cart_quantity
from portal.queries.order_reports import recent_orders_for_admin
from portal.queries.orders import checkout, orders_for_user
from portal.queries.products import ProductFilter, search_products
from portal.queries.wallet import top_up, wallet_for_user

PAGE = 20
Row = dict[str, Any]
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


def _user(table: str, rank: Rank, *, buyers_only: bool = True) -> str:
    return f"SELECT {user(table, rank, buyers_only=buyers_only)} AS user_id"


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
        f"SELECT {PRICE_BAND}",
        _search(
            lambda p: ProductFilter(min_price_cents=p["low"], max_price_cents=p["high"]),
            sort="price",
        ),
        lambda page: bool(page[0]),
        growth=True,
    ),
    QueryCase(
        "products.search",
        "text",
        "products",
        f"SELECT {TEXT_TERM}",
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
            _user("cart_items", rank, buyers_only=False),
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
            f" AS product_id FROM ({_user('cart_items', rank, buyers_only=False)}) u",
            lambda conn, p: add_to_cart(
                conn, user_id=p["user_id"], product_id=p["product_id"], quantity=1
            ),
            lambda item: item["quantity"] == 1,
        )
    ),
    *_per_rank(
        lambda rank: QueryCase(
            "cart.set_quantity",
            rank,
            "cart_items",
            f"SELECT u.user_id, (SELECT min(id) FROM cart_items c WHERE c.user_id = u.user_id)"
            f" AS item_id FROM ({_user('cart_items', rank, buyers_only=False)}) u",
            lambda conn, p: set_cart_quantity(
                conn, user_id=p["user_id"], item_id=p["item_id"], quantity=7
            ),
            lambda item: item is not None and item["quantity"] == 7,
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
        )
    ),
]
