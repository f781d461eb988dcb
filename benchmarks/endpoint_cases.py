"""The endpoint suite's series as declared data: one row per cached route and variant.

A row names the route template, the variant, the table whose size its cost
grows with, how the caller and the path's values are picked from the data
(``benchmarks/picks.py``) and the request's path. ``benchmarks/test_endpoints.py``
measures every row in every arm of ``benchmarks/arms.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.picks import PRICE_BAND, RANKS, TEXT_TERM, ranked, user

Row = dict[str, Any]


@dataclass(frozen=True)
class EndpointCase:
    route: str  # the route template, as metrics and the report name it
    variant: str
    size_table: str
    pick: str  # SQL returning one row: ``user_id`` (who calls) and the path's values
    path: Callable[[Row], str]  # the request's path and query

    @property
    def series(self) -> str:
        return f"GET {self.route}[{self.variant}]"


_TYPICAL_BUYER = user("orders", "median")

CASES: list[EndpointCase] = [
    EndpointCase(
        "/api/products",
        "busiest-region",
        "products",
        f"SELECT {_TYPICAL_BUYER} AS user_id, ({ranked('products', 'region_id', 'heavy')})"
        " AS region_id",
        lambda p: f"/api/products?region_id={p['region_id']}&limit=20",
    ),
    EndpointCase(
        "/api/products",
        "price-range",
        "products",
        f"SELECT {_TYPICAL_BUYER} AS user_id, {PRICE_BAND}",
        lambda p: (
            f"/api/products?min_price_cents={p['low']}&max_price_cents={p['high']}"
            "&sort=price&limit=20"
        ),
    ),
    EndpointCase(
        "/api/products",
        "text",
        "products",
        f"SELECT {_TYPICAL_BUYER} AS user_id, {TEXT_TERM}",
        lambda p: f"/api/products?q={p['term']}&limit=20",
    ),
    EndpointCase(
        "/api/products/{product_id}",
        "median-seller",
        "products",
        f"SELECT {_TYPICAL_BUYER} AS user_id, ({ranked('order_items', 'product_id', 'median')})"
        " AS product_id",
        lambda p: f"/api/products/{p['product_id']}",
    ),
    *(
        EndpointCase(
            "/api/wallet",
            rank,
            "wallet_transactions",
            f"SELECT {user('wallet_transactions', rank)} AS user_id",
            lambda _: "/api/wallet",
        )
        for rank in RANKS
    ),
    *(
        EndpointCase(
            "/api/orders",
            rank,
            "orders",
            f"SELECT {user('orders', rank)} AS user_id",
            lambda _: "/api/orders?limit=20",
        )
        for rank in RANKS
    ),
    EndpointCase(
        "/api/orders/{order_id}",
        "heavy",
        "orders",
        f"SELECT u.user_id, (SELECT max(id) FROM orders o WHERE o.user_id = u.user_id)"
        f" AS order_id FROM (SELECT {user('orders', 'heavy')} AS user_id) u",
        lambda p: f"/api/orders/{p['order_id']}",
    ),
    *(
        EndpointCase(
            "/api/cart",
            rank,
            "cart_items",
            f"SELECT {user('cart_items', rank)} AS user_id",
            lambda _: "/api/cart",
        )
        for rank in RANKS
    ),
    EndpointCase(
        "/api/users/me",
        "median",
        "users",
        f"SELECT {_TYPICAL_BUYER} AS user_id",
        lambda _: "/api/users/me",
    ),
]
