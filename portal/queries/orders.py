"""Orders: a user's history (keyset-paginated), one order, checkout, admin views."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.monitoring import operation
from portal.queries import audit
from portal.queries._rows import Row, all_rows, one_row

# The columns of an order as every order query returns them (orders and reports).
ORDER_COLUMNS = "id, user_id, status, total_cents, item_count, created_at"

# Keyset pagination on (created_at, id): every page costs the same, and
# idx_orders_user_date (user_id, created_at DESC, id DESC) serves it without a
# sort; the row comparison becomes part of the index condition. Public: the
# index proof (benchmarks/indexes/probes.py) explains these very statements.
ORDERS_FOR_USER = text(
    f"""
    SELECT {ORDER_COLUMNS} FROM orders
    WHERE user_id = :user_id
    ORDER BY created_at DESC, id DESC
    LIMIT :limit
    """
)
ORDERS_FOR_USER_BEFORE = text(
    f"""
    SELECT {ORDER_COLUMNS} FROM orders
    WHERE user_id = :user_id AND (created_at, id) < (:before_created_at, :before_id)
    ORDER BY created_at DESC, id DESC
    LIMIT :limit
    """
)


@operation("orders.list_for_user")
async def orders_for_user(
    conn: AsyncConnection,
    *,
    user_id: int,
    limit: int,
    before: tuple[datetime, int] | None = None,
) -> list[Row]:
    """The user's orders, newest first, strictly older than ``before`` if given."""
    params: dict[str, object] = {"user_id": user_id, "limit": limit}
    if before is None:
        return all_rows(await conn.execute(ORDERS_FOR_USER, params))
    params |= {"before_created_at": before[0], "before_id": before[1]}
    return all_rows(await conn.execute(ORDERS_FOR_USER_BEFORE, params))


_ORDER_BY_ID = text(f"SELECT {ORDER_COLUMNS} FROM orders WHERE id = :id")
_ORDER_ITEMS = text(
    """
    SELECT i.line_no, i.product_id, p.name AS product_name, i.quantity, i.unit_price_cents
    FROM order_items i JOIN products p ON p.id = i.product_id
    WHERE i.order_id = :id
    ORDER BY i.line_no
    """
)


@operation("orders.with_items")
async def order_with_items(conn: AsyncConnection, *, order_id: int) -> Row | None:
    order = one_row(await conn.execute(_ORDER_BY_ID, {"id": order_id}))
    if order is None:
        return None
    order["items"] = all_rows(await conn.execute(_ORDER_ITEMS, {"id": order_id}))
    return order


_ORDER_EXISTS = text("SELECT EXISTS (SELECT 1 FROM orders WHERE id = :id)")


@operation("orders.exists")
async def order_exists(conn: AsyncConnection, *, order_id: int) -> bool:
    return bool(await conn.scalar(_ORDER_EXISTS, {"id": order_id}))


class CheckoutRefused(Exception):
    """The cart cannot be bought as it is; the message says why, for a 409."""


# Products are locked in id order, so two checkouts sharing products cannot deadlock.
_CART_FOR_CHECKOUT = text(
    """
    SELECT c.product_id, c.quantity, p.price_cents, p.stock, p.active, p.name
    FROM cart_items c JOIN products p ON p.id = c.product_id
    WHERE c.user_id = :user_id
    ORDER BY c.product_id
    FOR UPDATE OF p
    """
)
# Conditional debit: the row is only changed if the money is there, so the
# balance cannot go negative however many checkouts race.
_DEBIT_WALLET = text(
    """
    UPDATE wallets SET balance_cents = balance_cents - :amount, updated_at = now()
    WHERE user_id = :user_id AND balance_cents >= :amount
    RETURNING balance_cents
    """
)
_BALANCE = text("SELECT balance_cents FROM wallets WHERE user_id = :user_id")
_TAKE_STOCK = text(
    """
    UPDATE products p SET stock = p.stock - t.quantity
    FROM unnest(CAST(:product_ids AS bigint[]), CAST(:quantities AS int[])) AS t(id, quantity)
    WHERE p.id = t.id
    """
)
_INSERT_ORDER = text(
    f"""
    INSERT INTO orders (user_id, status, total_cents, item_count, created_at)
    VALUES (:user_id, 'paid', :total, :item_count, now())
    RETURNING {ORDER_COLUMNS}
    """
)
_INSERT_ITEMS = text(
    """
    INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price_cents)
    SELECT :order_id, t.line_no, t.product_id, t.quantity, t.price
    FROM unnest(CAST(:line_nos AS smallint[]), CAST(:product_ids AS bigint[]),
                CAST(:quantities AS int[]), CAST(:prices AS bigint[]))
         AS t(line_no, product_id, quantity, price)
    """
)
_INSERT_PURCHASE = text(
    """
    INSERT INTO wallet_transactions (user_id, amount_cents, kind, order_id, created_at)
    VALUES (:user_id, -CAST(:total AS bigint), 'purchase', :order_id, now())
    """
)
_EMPTY_CART = text("DELETE FROM cart_items WHERE user_id = :user_id")
_LOCK_USER = text("SELECT pg_advisory_xact_lock(:user_id)")


@operation("orders.lock_user")
async def lock_user(conn: AsyncConnection, *, user_id: int) -> None:
    """Serialise one user's cart edits and checkouts (held until commit)."""
    await conn.execute(_LOCK_USER, {"user_id": user_id})


def _one_line_per_product(rows: list[Row]) -> list[Row]:
    """Merge cart rows of the same product (rows arrive sorted by product id)."""
    lines: list[Row] = []
    for row in rows:
        if lines and lines[-1]["product_id"] == row["product_id"]:
            lines[-1]["quantity"] += row["quantity"]
        else:
            lines.append(row)
    return lines


@operation("orders.checkout")
async def checkout(conn: AsyncConnection, *, user_id: int) -> Row:
    """Buy the user's cart: debit the wallet, create the order, empty the cart.

    Runs inside the caller's transaction; raises CheckoutRefused (and the caller
    rolls back) when the cart is empty, stock is short or money is missing.
    """
    await lock_user(conn, user_id=user_id)
    lines = _one_line_per_product(
        all_rows(await conn.execute(_CART_FOR_CHECKOUT, {"user_id": user_id}))
    )
    if not lines:
        raise CheckoutRefused("Your cart is empty.")
    inactive = [line["product_id"] for line in lines if not line["active"]]
    if inactive:
        raise CheckoutRefused(f"Products no longer sold: {', '.join(map(str, inactive))}.")
    short = [line for line in lines if line["stock"] < line["quantity"]]
    if short:
        detail = ", ".join(f"{s['product_id']} ({s['stock']} left)" for s in short)
        raise CheckoutRefused(f"Not enough stock for product(s) {detail}.")
    total = sum(line["quantity"] * line["price_cents"] for line in lines)
    debited = await conn.execute(_DEBIT_WALLET, {"user_id": user_id, "amount": total})
    if debited.first() is None:
        balance = await conn.scalar(_BALANCE, {"user_id": user_id}) or 0
        raise CheckoutRefused(
            f"Insufficient funds: the order costs {total} cents, the wallet holds {balance}."
        )
    product_ids = [line["product_id"] for line in lines]
    quantities = [line["quantity"] for line in lines]
    await conn.execute(_TAKE_STOCK, {"product_ids": product_ids, "quantities": quantities})
    order = one_row(
        await conn.execute(
            _INSERT_ORDER, {"user_id": user_id, "total": total, "item_count": len(lines)}
        )
    )
    assert order is not None
    await conn.execute(
        _INSERT_ITEMS,
        {
            "order_id": order["id"],
            "line_nos": list(range(1, len(lines) + 1)),
            "product_ids": product_ids,
            "quantities": quantities,
            "prices": [line["price_cents"] for line in lines],
        },
    )
    await conn.execute(
        _INSERT_PURCHASE, {"user_id": user_id, "total": total, "order_id": order["id"]}
    )
    await conn.execute(_EMPTY_CART, {"user_id": user_id})
    await audit.record(
        conn, user_id=user_id, action="order.checkout", detail={"order_id": order["id"]}
    )
    order["items"] = [
        {
            "line_no": n,
            "product_id": line["product_id"],
            "product_name": line["name"],
            "quantity": line["quantity"],
            "unit_price_cents": line["price_cents"],
        }
        for n, line in enumerate(lines, start=1)
    ]
    return order
