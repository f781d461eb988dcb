"""Product catalogue: filtered listing, lookup, admin create and update."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.monitoring import operation
from portal.queries._rows import Row, all_rows, one_row
from portal.queries._statement import Statement

ProductSort = Literal["id", "price", "-price", "name", "-updated_at"]

# Every ORDER BY ends in the primary key, so pages are stable under ties.
_ORDER_BY: dict[str, str] = {
    "id": "id",
    "price": "price_cents, id",
    "-price": "price_cents DESC, id DESC",
    "name": "name, id",
    "-updated_at": "updated_at DESC, id DESC",
}

_COLUMNS = "id, region_id, category, sku, name, price_cents, stock, active, updated_at"


@dataclass(frozen=True, slots=True)
class ProductFilter:
    region_id: int | None = None
    category: str | None = None
    active: bool | None = True
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    q: str | None = None


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(filters: ProductFilter) -> tuple[str, dict[str, Any]]:
    # Plain column comparisons only (no function around a column), so the
    # indexes of sql/add-performance-indexes.sql can serve them.
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if filters.region_id is not None:
        clauses.append("region_id = :region_id")
        params["region_id"] = filters.region_id
    if filters.active is not None:
        clauses.append("active = :active")
        params["active"] = filters.active
    if filters.category is not None:
        clauses.append("category = :category")
        params["category"] = filters.category
    if filters.min_price_cents is not None:
        clauses.append("price_cents >= :min_price")
        params["min_price"] = filters.min_price_cents
    if filters.max_price_cents is not None:
        clauses.append("price_cents <= :max_price")
        params["max_price"] = filters.max_price_cents
    if filters.q:
        clauses.append("(name ILIKE :pattern OR sku ILIKE :pattern)")
        params["pattern"] = _like_pattern(filters.q)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def search_statement(
    *, filters: ProductFilter, sort: ProductSort, limit: int, offset: int
) -> Statement:
    """The page query: ``limit + 1`` rows, so the caller learns whether more follow.

    Each filter/sort shape has an index in sql/add-performance-indexes.sql
    (region, category, price, name, updated_at, trigram search), and offsets are
    bounded by the route, so no page scans without limit.
    """
    where, params = _where(filters)
    sql = (
        f"SELECT {_COLUMNS} FROM products{where} "
        f"ORDER BY {_ORDER_BY[sort]} LIMIT :limit OFFSET :offset"
    )
    params |= {"limit": limit + 1, "offset": offset}
    return text(sql), params


@operation("products.search")
async def search_products(
    conn: AsyncConnection, *, filters: ProductFilter, sort: ProductSort, limit: int, offset: int
) -> tuple[list[Row], bool]:
    """One page of products matching ``filters``, and whether more follow.

    No COUNT(*): on a large catalogue it would cost more than the page itself.
    """
    clause, params = search_statement(filters=filters, sort=sort, limit=limit, offset=offset)
    rows = all_rows(await conn.execute(clause, params))
    return rows[:limit], len(rows) > limit


_PRODUCT_BY_ID = text(f"SELECT {_COLUMNS} FROM products WHERE id = :id")


@operation("products.by_id")
async def product_by_id(conn: AsyncConnection, *, product_id: int) -> Row | None:
    return one_row(await conn.execute(_PRODUCT_BY_ID, {"id": product_id}))


# Served by idx_products_sku. SKUs are unique: the generator makes them so, and
# every create and update claims its SKU first (:func:`sku_holder`). Not a
# constraint: a unique constraint is an index, and the index switch must be able
# to drop this one for the unindexed arm. The lowest id would win a duplicate
# written behind the API's back.
PRODUCT_BY_SKU = text(f"SELECT {_COLUMNS} FROM products WHERE sku = :sku ORDER BY id LIMIT 1")


@operation("products.by_sku")
async def product_by_sku(conn: AsyncConnection, *, sku: str) -> Row | None:
    return one_row(await conn.execute(PRODUCT_BY_SKU, {"sku": sku}))


# An index-only scan of idx_order_items_product (product_id) INCLUDE (quantity,
# unit_price_cents): a best seller has thousands of lines, the table millions.
SALES_FOR_PRODUCT = text(
    """
    SELECT count(*) AS order_lines,
           COALESCE(sum(quantity), 0) AS units,
           CAST(COALESCE(sum(quantity * unit_price_cents), 0) AS bigint) AS revenue_cents
    FROM order_items
    WHERE product_id = :product_id
    """
)


@operation("products.sales_for_product")
async def sales_for_product(conn: AsyncConnection, *, product_id: int) -> Row:
    """Order lines, units and revenue of one product over all orders."""
    row = one_row(await conn.execute(SALES_FOR_PRODUCT, {"product_id": product_id}))
    assert row is not None  # an aggregate without GROUP BY always returns a row
    return row


_CREATE_PRODUCT = text(
    f"""
    INSERT INTO products (region_id, category, sku, name, price_cents, stock, active, updated_at)
    VALUES (:region_id, :category, :sku, :name, :price_cents, :stock, :active, now())
    RETURNING {_COLUMNS}
    """
)


@operation("products.create")
async def create_product(conn: AsyncConnection, *, fields: dict[str, Any]) -> Row:
    row = one_row(await conn.execute(_CREATE_PRODUCT, fields))
    assert row is not None
    return row


# A transaction-scoped lock per SKU, so two writes of one new SKU cannot both see
# it free. The two-key form has a lock space of its own (apart from the one-key
# locks orders take per user); a hash collision only makes two SKUs wait in turn.
_SKU_LOCK_CLASS = 7
_LOCK_SKU = text(f"SELECT pg_advisory_xact_lock({_SKU_LOCK_CLASS}, hashtext(:sku))")
_SKU_HOLDER = text("SELECT id FROM products WHERE sku = :sku AND id <> :id ORDER BY id LIMIT 1")


@operation("products.sku_holder")
async def sku_holder(conn: AsyncConnection, *, sku: str, product_id: int = 0) -> int | None:
    """The other product with ``sku`` (None if free), holding the SKU's lock until commit."""
    await conn.execute(_LOCK_SKU, {"sku": sku})
    holder = await conn.scalar(_SKU_HOLDER, {"sku": sku, "id": product_id})
    return None if holder is None else int(holder)


_UPDATABLE = ("region_id", "category", "sku", "name", "price_cents", "stock", "active")


@operation("products.update")
async def update_product(
    conn: AsyncConnection, *, product_id: int, changes: dict[str, Any]
) -> Row | None:
    """Apply ``changes`` (a subset of the updatable columns); None if no such product."""
    columns = [name for name in _UPDATABLE if name in changes]
    assignments = ", ".join([f"{name} = :{name}" for name in columns] + ["updated_at = now()"])
    sql = f"UPDATE products SET {assignments} WHERE id = :id RETURNING {_COLUMNS}"
    params = {name: changes[name] for name in columns} | {"id": product_id}
    return one_row(await conn.execute(text(sql), params))


_REGION_EXISTS = text("SELECT EXISTS (SELECT 1 FROM regions WHERE id = :id)")


@operation("products.region_exists")
async def region_exists(conn: AsyncConnection, *, region_id: int) -> bool:
    return bool(await conn.scalar(_REGION_EXISTS, {"id": region_id}))
