"""Product catalogue: filtered listing, lookup, admin create and update."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.queries._rows import Row, all_rows, one_row

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


async def search_products(
    conn: AsyncConnection, *, filters: ProductFilter, sort: ProductSort, limit: int, offset: int
) -> tuple[list[Row], bool]:
    """One page of products matching ``filters``, and whether more follow.

    No COUNT(*): on a large catalogue it would cost more than the page itself.
    """
    where, params = _where(filters)
    sql = (
        f"SELECT {_COLUMNS} FROM products{where} "
        f"ORDER BY {_ORDER_BY[sort]} LIMIT :limit OFFSET :offset"
    )
    params |= {"limit": limit + 1, "offset": offset}
    rows = all_rows(await conn.execute(text(sql), params))
    return rows[:limit], len(rows) > limit


_PRODUCT_BY_ID = text(f"SELECT {_COLUMNS} FROM products WHERE id = :id")


async def product_by_id(conn: AsyncConnection, *, product_id: int) -> Row | None:
    return one_row(await conn.execute(_PRODUCT_BY_ID, {"id": product_id}))


_CREATE_PRODUCT = text(
    f"""
    INSERT INTO products (region_id, category, sku, name, price_cents, stock, active, updated_at)
    VALUES (:region_id, :category, :sku, :name, :price_cents, :stock, :active, now())
    RETURNING {_COLUMNS}
    """
)


async def create_product(conn: AsyncConnection, *, fields: dict[str, Any]) -> Row:
    row = one_row(await conn.execute(_CREATE_PRODUCT, fields))
    assert row is not None
    return row


_UPDATABLE = ("region_id", "category", "sku", "name", "price_cents", "stock", "active")


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


async def region_exists(conn: AsyncConnection, *, region_id: int) -> bool:
    return bool(await conn.scalar(_REGION_EXISTS, {"id": region_id}))
