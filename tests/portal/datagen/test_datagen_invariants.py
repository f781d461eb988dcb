"""What the API relies on in a loaded dataset, checked on the tiny scale."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from portal.datagen import ANCHOR, SCALES, LoadResult

Rows = Callable[..., list[tuple[Any, ...]]]


def one(rows: Rows, url: str, query: str, *params: object) -> Any:
    return rows(url, query, params)[0][0]


def test_row_counts_match_the_scale(tiny: tuple[str, LoadResult], rows: Rows) -> None:
    url, result = tiny
    scale = SCALES["tiny"]
    assert result.rows["regions"] == scale.regions
    assert result.rows["users"] == result.rows["wallets"] == result.rows["api_tokens"]
    assert result.rows["orders"] == scale.orders
    assert result.rows["wallet_transactions"] == scale.wallet_transactions
    for table, count in result.rows.items():
        assert one(rows, url, f"SELECT count(*) FROM {table}") == count, table


def test_order_totals_are_the_sum_of_their_lines(tiny_url: str, rows: Rows) -> None:
    mismatched = one(
        rows,
        tiny_url,
        """
        SELECT count(*) FROM orders o
        LEFT JOIN (SELECT order_id, sum(quantity * unit_price_cents) AS total, count(*) AS n
                   FROM order_items GROUP BY order_id) i ON i.order_id = o.id
        WHERE i.total IS DISTINCT FROM o.total_cents OR i.n IS DISTINCT FROM o.item_count
        """,
    )
    assert mismatched == 0
    assert one(rows, tiny_url, "SELECT min(item_count) FROM orders") >= 1


def test_every_user_has_one_wallet_equal_to_its_ledger(tiny_url: str, rows: Rows) -> None:
    assert (
        one(
            rows,
            tiny_url,
            "SELECT count(*) FROM users u LEFT JOIN wallets w ON w.user_id = u.id"
            " WHERE w.user_id IS NULL",
        )
        == 0
    )
    mismatched = one(
        rows,
        tiny_url,
        """
        SELECT count(*) FROM wallets w
        LEFT JOIN (SELECT user_id, sum(amount_cents) AS total FROM wallet_transactions
                   GROUP BY user_id) t USING (user_id)
        WHERE w.balance_cents <> coalesce(t.total, 0) OR w.balance_cents < 0
        """,
    )
    assert mismatched == 0


def test_the_ledger_never_overdraws(tiny_url: str, rows: Rows) -> None:
    overdrawn = one(
        rows,
        tiny_url,
        """
        SELECT count(*) FROM (
            SELECT sum(amount_cents) OVER (PARTITION BY user_id ORDER BY created_at, id) AS running
            FROM wallet_transactions) r
        WHERE running < 0
        """,
    )
    assert overdrawn == 0


def test_ledger_rows_follow_the_orders(tiny_url: str, rows: Rows) -> None:
    kinds: dict[str, bool] = dict(
        rows(
            tiny_url,
            """
            SELECT kind, bool_and(CASE kind WHEN 'purchase' THEN amount_cents < 0
                                            ELSE amount_cents > 0 END
                                  AND (order_id IS NOT NULL) = (kind <> 'top_up'))
            FROM wallet_transactions GROUP BY kind
            """,
        )
    )
    assert kinds == {"top_up": True, "purchase": True, "refund": True}
    # Purchases are for paid-or-later orders (or ones cancelled after paying), refunds only
    # for cancelled ones, each for the full total.
    assert one(rows, tiny_url, """
        SELECT count(*) FROM wallet_transactions t JOIN orders o ON o.id = t.order_id
        WHERE (t.kind = 'refund' AND (o.status <> 'cancelled' OR t.amount_cents <> o.total_cents))
           OR (t.kind = 'purchase' AND (o.status = 'pending' OR t.amount_cents <> -o.total_cents))
        """) == 0  # fmt: skip
    unpaid = one(rows, tiny_url, """
        SELECT count(*) FROM orders o WHERE o.status IN ('paid', 'shipped', 'delivered')
        AND NOT EXISTS (SELECT 1 FROM wallet_transactions t
                        WHERE t.order_id = o.id AND t.kind = 'purchase')
        """)  # fmt: skip
    assert unpaid == 0


def test_constraints_and_sequences_are_in_place(tiny_url: str, rows: Rows) -> None:
    constraints: dict[str, int] = dict(
        rows(
            tiny_url,
            "SELECT contype, count(*) FILTER (WHERE convalidated) FROM pg_constraint"
            " WHERE connamespace = 'public'::regnamespace GROUP BY contype",
        )
    )
    assert constraints["f"] == 13
    assert constraints["p"] == 13  # every table of schema.sql has its primary key
    for table in ("users", "products", "orders", "wallet_transactions", "cart_items", "audit_log"):
        highest = one(rows, tiny_url, f"SELECT max(id) FROM {table}")
        following = one(rows, tiny_url, "SELECT nextval(pg_get_serial_sequence(%s, 'id'))", table)
        assert following == highest + 1, table


def test_no_secondary_indexes(tiny_url: str, rows: Rows) -> None:
    indexes = rows(
        tiny_url,
        "SELECT indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
        " WHERE c.relnamespace = 'public'::regnamespace AND NOT i.indisprimary",
    )
    assert indexes == []


def test_roles_and_the_first_buyer(tiny_url: str, rows: Rows) -> None:
    assert one(rows, tiny_url, "SELECT role FROM users WHERE id = 1") == "admin"
    admins = one(rows, tiny_url, "SELECT avg((role = 'admin')::int)::float FROM users")
    assert 0.005 <= admins <= 0.05
    buyer = one(rows, tiny_url, "SELECT min(id) FROM users WHERE role = 'buyer'")
    assert one(rows, tiny_url, "SELECT count(*) FROM orders WHERE user_id = %s", buyer) > 0
    assert one(rows, tiny_url, "SELECT count(*) FROM cart_items WHERE user_id = %s", buyer) > 0
    assert one(rows, tiny_url, "SELECT count(*) FROM wallets WHERE user_id = %s", buyer) == 1


def test_products_prices_and_activity(tiny_url: str, rows: Rows) -> None:
    active = one(rows, tiny_url, "SELECT avg(active::int)::float FROM products")
    assert 0.80 <= active <= 0.90
    assert one(rows, tiny_url, "SELECT min(price_cents) FROM products") > 0
    assert (
        one(rows, tiny_url, "SELECT count(DISTINCT sku) FROM products") == SCALES["tiny"].products
    )


def test_carts(tiny_url: str, rows: Rows) -> None:
    share, most, least = rows(tiny_url, """
        SELECT count(*)::float / (SELECT count(*) FROM users WHERE role = 'buyer'), max(n), min(n)
        FROM (SELECT user_id, count(*) AS n FROM cart_items GROUP BY user_id) c
        """)[0]  # fmt: skip
    assert 0.2 <= share <= 0.4
    assert least >= 1
    assert most <= 5
    oldest, newest = rows(tiny_url, "SELECT min(added_at), max(added_at) FROM cart_items")[0]
    assert ANCHOR - timedelta(days=60) <= oldest and newest < ANCHOR
    # Some carts are abandoned: untouched for more than 30 days.
    assert oldest < ANCHOR - timedelta(days=30)
    assert (
        one(
            rows,
            tiny_url,
            "SELECT count(*) FROM (SELECT user_id, product_id FROM cart_items"
            " GROUP BY 1, 2 HAVING count(*) > 1) d",
        )
        == 0
    )


def test_history_spans_two_years_and_grows(tiny_url: str, rows: Rows) -> None:
    oldest, newest, first_quarter, last_quarter = rows(
        tiny_url,
        """
        SELECT min(created_at), max(created_at),
               count(*) FILTER (WHERE created_at < %(anchor)s - interval '639 days'),
               count(*) FILTER (WHERE created_at >= %(anchor)s - interval '91 days')
        FROM orders
        """,
        {"anchor": ANCHOR},
    )[0]
    assert ANCHOR - timedelta(days=731) <= oldest and newest < ANCHOR
    assert newest - oldest > timedelta(days=700)
    assert last_quarter > 1.5 * first_quarter
    audit_oldest = one(rows, tiny_url, "SELECT min(created_at) FROM audit_log")
    assert audit_oldest < ANCHOR - timedelta(days=365)
    after_joining = one(
        rows,
        tiny_url,
        "SELECT count(*) FROM orders o JOIN users u ON u.id = o.user_id"
        " WHERE o.created_at <= u.created_at",
    )
    assert after_joining == 0


def test_heavy_buyers_and_popular_products(tiny_url: str, rows: Rows) -> None:
    top_users_share = one(rows, tiny_url, """
        SELECT sum(n) FILTER (WHERE rank <= (SELECT count(*) FROM users) / 10)::float / sum(n)
        FROM (SELECT count(*) AS n, row_number() OVER (ORDER BY count(*) DESC) AS rank
              FROM orders GROUP BY user_id) o
        """)  # fmt: skip
    assert top_users_share > 0.35  # uniform would be 0.10
    top_products_share = one(rows, tiny_url, """
        SELECT sum(n) FILTER (WHERE rank <= (SELECT count(*) FROM products) / 100)::float / sum(n)
        FROM (SELECT count(*) AS n, row_number() OVER (ORDER BY count(*) DESC) AS rank
              FROM order_items GROUP BY product_id) o
        """)  # fmt: skip
    assert top_products_share > 0.08  # uniform would be 0.01
    top_region = one(
        rows,
        tiny_url,
        "SELECT max(n)::float / sum(n)"
        " FROM (SELECT count(*) AS n FROM products GROUP BY region_id) r",
    )
    assert top_region > 2 / SCALES["tiny"].regions
