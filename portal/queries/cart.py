"""The caller's cart: read, add, change quantity, remove."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.monitoring import operation
from portal.queries._rows import Row, all_rows, one_row
from portal.queries.orders import lock_user

# Served by idx_cart_items_user (public: the index proof explains it).
CART_FOR_USER = text(
    """
    SELECT c.id, c.product_id, p.name AS product_name, p.price_cents, c.quantity,
           p.active, p.stock, c.added_at
    FROM cart_items c JOIN products p ON p.id = c.product_id
    WHERE c.user_id = :user_id
    ORDER BY c.added_at, c.id
    """
)


@operation("cart.for_user")
async def cart_for_user(conn: AsyncConnection, *, user_id: int) -> Row:
    items = all_rows(await conn.execute(CART_FOR_USER, {"user_id": user_id}))
    total = sum(item["price_cents"] * item["quantity"] for item in items)
    return {"items": items, "total_cents": total}


# Served by idx_cart_items_product (an index-only count).
CARTS_HOLDING_PRODUCT = text(
    """
    SELECT count(*) AS cart_lines, COALESCE(sum(quantity), 0) AS units
    FROM cart_items WHERE product_id = :product_id
    """
)


@operation("cart.carts_holding_product")
async def carts_holding_product(conn: AsyncConnection, *, product_id: int) -> Row:
    """How many cart lines (and units) hold a product: demand not yet ordered."""
    row = one_row(await conn.execute(CARTS_HOLDING_PRODUCT, {"product_id": product_id}))
    assert row is not None  # an aggregate without GROUP BY always returns a row
    return row


_CART_ITEM = text(
    """
    SELECT c.id, c.product_id, p.name AS product_name, p.price_cents, c.quantity,
           p.active, p.stock, c.added_at
    FROM cart_items c JOIN products p ON p.id = c.product_id
    WHERE c.id = :id AND c.user_id = :user_id
    """
)
_ADD_TO_EXISTING = text(
    """
    UPDATE cart_items SET quantity = quantity + :quantity
    WHERE user_id = :user_id AND product_id = :product_id
    RETURNING id
    """
)
_INSERT_ITEM = text(
    """
    INSERT INTO cart_items (user_id, product_id, quantity, added_at)
    VALUES (:user_id, :product_id, :quantity, now())
    RETURNING id
    """
)


@operation("cart.add_item")
async def add_to_cart(
    conn: AsyncConnection, *, user_id: int, product_id: int, quantity: int
) -> Row:
    """Add ``quantity`` of a product; a product already in the cart gets one line.

    The per-user lock makes "update else insert" safe without a unique index
    (secondary indexes belong to the index switch, not the schema).
    """
    await lock_user(conn, user_id=user_id)
    params = {"user_id": user_id, "product_id": product_id, "quantity": quantity}
    item_id = await conn.scalar(_ADD_TO_EXISTING, params)
    if item_id is None:
        item_id = await conn.scalar(_INSERT_ITEM, params)
    item = one_row(await conn.execute(_CART_ITEM, {"id": item_id, "user_id": user_id}))
    assert item is not None
    return item


_SET_QUANTITY = text(
    "UPDATE cart_items SET quantity = :quantity WHERE id = :id AND user_id = :user_id RETURNING id"
)


@operation("cart.set_quantity")
async def set_cart_quantity(
    conn: AsyncConnection, *, user_id: int, item_id: int, quantity: int
) -> Row | None:
    """None when the item does not exist or is someone else's."""
    await lock_user(conn, user_id=user_id)
    params = {"id": item_id, "user_id": user_id, "quantity": quantity}
    if await conn.scalar(_SET_QUANTITY, params) is None:
        return None
    return one_row(await conn.execute(_CART_ITEM, {"id": item_id, "user_id": user_id}))


_REMOVE = text("DELETE FROM cart_items WHERE id = :id AND user_id = :user_id")


@operation("cart.remove_item")
async def remove_cart_item(conn: AsyncConnection, *, user_id: int, item_id: int) -> bool:
    await lock_user(conn, user_id=user_id)
    result = await conn.execute(_REMOVE, {"id": item_id, "user_id": user_id})
    return result.rowcount > 0
