"""For each performance index, the portal statement that should use it, with real parameters.

A probe is the operation's own SQL (imported from portal/queries, never
re-typed, so the proof cannot drift from what the portal sends) and a query
that picks its parameters from the loaded data: the heaviest buyer, the
smallest region, the rarest order status... The worst realistic case for the
unindexed plan, and a plausible request for the indexed one.

The operation each index serves is named in sql/add-performance-indexes.sql;
benchmarks/indexes/catalog.py joins the two and checks they cover the same names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.auth import store as auth
from portal.queries import (
    audit,
    cart,
    cleanup,
    order_reports,
    orders,
    products,
    users,
    wallet,
)
from portal.queries._statement import Statement
from portal.queries.products import ProductFilter

PAGE = 20  # the routes' default page size
CLEANUP_BATCH = 500

Picked = Mapping[str, Any]


@dataclass(frozen=True)
class Probe:
    """``pick`` returns one row; its columns feed ``statement``, which returns the portal's SQL.

    A probe without ``pick`` needs no parameters from the data. ``forced``:
    planner settings added to the proof's ``force_index_use`` ones for this
    probe only, each with its reason next to it.
    """

    statement: Callable[[Picked], Statement]
    pick: str | None = None
    forced: Mapping[str, str] = field(default_factory=dict)


def _most(column: str, table: str, where: str = "") -> str:
    """The value of ``column`` with the most rows in ``table`` (lowest value on ties)."""
    return (
        f"SELECT {column} FROM {table} {where} GROUP BY {column}"
        f" ORDER BY count(*) DESC, {column} LIMIT 1"
    )


def _median_owner(column: str, table: str, where: str = "") -> str:
    """A value of ``column`` owning the median number of rows in ``table`` (lowest on ties)."""
    counts = f"SELECT {column} AS value, count(*) AS n FROM {table} {where} GROUP BY {column}"
    return (
        f"WITH c AS ({counts}) SELECT value AS {column} FROM c"
        " WHERE n = (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY n) FROM c)"
        " ORDER BY value LIMIT 1"
    )


def _fewest(column: str, table: str) -> str:
    """The value of ``column`` with the fewest rows in ``table`` (lowest value on ties)."""
    return f"SELECT {column} FROM {table} GROUP BY {column} ORDER BY count(*), {column} LIMIT 1"


def _search(filters: ProductFilter, sort: products.ProductSort = "id") -> Statement:
    """products.search's first page, as GET /api/products sends it (active products)."""
    return products.search_statement(filters=filters, sort=sort, limit=PAGE, offset=0)


_HEAVIEST_BUYER = _most("user_id", "orders")
_BUSIEST_REGION = _most("region_id", "products")
# A middle product: neither the first rows of the table nor the last.
_MIDDLE_PRODUCT = (
    "SELECT {} FROM products ORDER BY id OFFSET (SELECT count(*) / 2 FROM products) LIMIT 1"
)

PROBES: Mapping[str, Probe] = {
    "idx_orders_user_date": Probe(
        pick=_HEAVIEST_BUYER,
        statement=lambda p: (orders.ORDERS_FOR_USER, {"user_id": p["user_id"], "limit": PAGE}),
    ),
    "idx_orders_status_date": Probe(
        pick="SELECT status FROM orders GROUP BY status ORDER BY count(*), status LIMIT 1",
        statement=lambda p: order_reports.recent_orders_statement(status=p["status"], limit=PAGE),
    ),
    "idx_orders_created_at": Probe(
        pick="SELECT max(created_at) - interval '30 days' AS since, max(created_at) AS until"
        " FROM orders",
        statement=lambda p: (order_reports.DAILY_SALES, dict(p)),
    ),
    "idx_order_items_product": Probe(
        pick=_most("product_id", "order_items"),
        statement=lambda p: (products.SALES_FOR_PRODUCT, dict(p)),
    ),
    "idx_wallet_transactions_user_date": Probe(
        pick=_HEAVIEST_BUYER,
        statement=lambda p: (wallet.RECENT_TRANSACTIONS, {"user_id": p["user_id"], "limit": PAGE}),
    ),
    "idx_wallet_transactions_order": Probe(
        pick="SELECT min(order_id) AS order_id FROM wallet_transactions WHERE kind = 'refund'",
        statement=lambda p: (wallet.TRANSACTIONS_FOR_ORDER, dict(p)),
    ),
    "idx_cart_items_user": Probe(
        pick=_most("user_id", "cart_items"),
        statement=lambda p: (cart.CART_FOR_USER, dict(p)),
    ),
    "idx_cart_items_product": Probe(
        pick=_most("product_id", "cart_items"),
        statement=lambda p: (cart.CARTS_HOLDING_PRODUCT, dict(p)),
    ),
    # The oldest tenth: what a daily cleanup run finds, not a purge of everything.
    "idx_cart_items_added_at": Probe(
        pick="SELECT percentile_disc(0.1) WITHIN GROUP (ORDER BY added_at) AS older_than"
        " FROM cart_items",
        statement=lambda p: (cleanup.ABANDONED_CART_ITEMS, {**p, "batch": CLEANUP_BATCH}),
    ),
    "idx_audit_log_created_at": Probe(
        pick="SELECT percentile_disc(0.1) WITHIN GROUP (ORDER BY created_at) AS older_than"
        " FROM audit_log",
        statement=lambda p: (cleanup.OLD_AUDIT_ROWS, {**p, "batch": CLEANUP_BATCH}),
    ),
    # A typical user, not the busiest: the busiest owns 7 % of the audit rows at tiny, so
    # the newest rows by created_at find its 20 nearly as cheaply, and the planner's pick
    # between the two indexes flipped between runs (CI saw this index "unused").
    "idx_audit_log_user_date": Probe(
        pick=_median_owner("user_id", "audit_log", "WHERE user_id IS NOT NULL"),
        statement=lambda p: (audit.RECENT_FOR_USER, {"user_id": p["user_id"], "limit": PAGE}),
    ),
    "idx_api_tokens_user": Probe(
        pick=_most("user_id", "api_tokens"),
        statement=lambda p: (auth.TOKENS_FOR_USER, {"user_id": p["user_id"], "limit": PAGE}),
    ),
    "idx_users_email": Probe(
        pick="SELECT email FROM users ORDER BY id OFFSET (SELECT count(*) / 2 FROM users) LIMIT 1",
        statement=lambda p: (users.USER_BY_EMAIL, dict(p)),
    ),
    "idx_users_company": Probe(
        pick=_most("company_id", "users"),
        statement=lambda p: (
            users.USERS_FOR_COMPANY,
            {"company_id": p["company_id"], "after_id": 0, "limit": PAGE},
        ),
    ),
    # The smallest region: there the primary key read in id order wades
    # through many rows of other regions per page, and the index pays. (For
    # the largest region the planner rightly reads the primary key.)
    "idx_products_region_active": Probe(
        pick=_fewest("region_id", "products"),
        statement=lambda p: _search(ProductFilter(region_id=p["region_id"])),
        # For a bitmap scan idx_products_region_price matches the filter just as
        # well; what this index adds is the read in id order, an index scan.
        forced={"enable_bitmapscan": "off"},
    ),
    "idx_products_region_price": Probe(
        pick=_BUSIEST_REGION,
        statement=lambda p: _search(ProductFilter(region_id=p["region_id"]), sort="price"),
    ),
    "idx_products_price": Probe(
        statement=lambda _: _search(ProductFilter(), sort="-price"),
    ),
    "idx_products_name": Probe(
        statement=lambda _: _search(ProductFilter(), sort="name"),
    ),
    "idx_products_updated_at": Probe(
        statement=lambda _: _search(ProductFilter(), sort="-updated_at"),
    ),
    "idx_products_sku": Probe(
        pick=_MIDDLE_PRODUCT.format("sku"),
        statement=lambda p: (products.PRODUCT_BY_SKU, dict(p)),
    ),
    # Substring searches as a buyer types them: a product code as printed on
    # a label, the tail of a SKU. Selective terms: for a common word ("cable")
    # reading the catalogue in id order until a page is full is rightly
    # cheaper, and the planner does that. GIN answers only bitmap scans; on a
    # tiny table a bitmap of the btree on `active` competes, hence no plain
    # index scans when index use is forced. The probes search all products
    # (`active=all`): PostgreSQL 18's btree skip scan would otherwise answer the
    # `active` filter from idx_products_region_active instead.
    "idx_products_name_trgm": Probe(
        pick=_MIDDLE_PRODUCT.format("lower(substring(name from '[^ ]+$')) AS q"),
        statement=lambda p: _search(ProductFilter(q=p["q"], active=None)),
        forced={"enable_indexscan": "off"},
    ),
    "idx_products_sku_trgm": Probe(
        pick=_MIDDLE_PRODUCT.format("lower(right(sku, 5)) AS q"),
        statement=lambda p: _search(ProductFilter(q=p["q"], active=None)),
        forced={"enable_indexscan": "off"},
    ),
}
