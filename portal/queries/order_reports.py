"""Orders as admins see them: everyone's orders by status, and daily sales."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.monitoring import operation
from portal.queries._rows import Row, all_rows
from portal.queries._statement import Statement
from portal.queries.orders import ORDER_COLUMNS


def recent_orders_statement(
    *, status: str | None, limit: int, before: tuple[datetime, int] | None = None
) -> Statement:
    """Newest orders first, keyset-paginated like a user's history.

    With a status, idx_orders_status_date (status, created_at DESC, id DESC)
    serves the page; without one, idx_orders_created_at read backwards does.
    """
    clauses: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    if status is not None:
        clauses.append("status = :status")
        params["status"] = status
    if before is not None:
        clauses.append("(created_at, id) < (:before_created_at, :before_id)")
        params |= {"before_created_at": before[0], "before_id": before[1]}
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    sql = (
        f"SELECT {ORDER_COLUMNS} FROM orders{where} ORDER BY created_at DESC, id DESC LIMIT :limit"
    )
    return text(sql), params


@operation("orders.recent_for_admin")
async def recent_orders_for_admin(
    conn: AsyncConnection,
    *,
    status: str | None,
    limit: int,
    before: tuple[datetime, int] | None = None,
) -> list[Row]:
    """One page of everyone's orders (optionally in one status), newest first."""
    clause, params = recent_orders_statement(status=status, limit=limit, before=before)
    return all_rows(await conn.execute(clause, params))


# Half-open range on the bare column (sargable); the day is computed in UTC so
# the report does not depend on the session's time zone. An index-only scan of
# idx_orders_created_at (created_at, id) INCLUDE (status, total_cents).
DAILY_SALES = text(
    """
    SELECT CAST(created_at AT TIME ZONE 'UTC' AS date) AS day,
           count(*) AS orders,
           CAST(sum(total_cents) AS bigint) AS revenue_cents
    FROM orders
    WHERE created_at >= :since AND created_at < :until AND status <> 'cancelled'
    GROUP BY 1
    ORDER BY 1
    """
)


@operation("orders.daily_sales")
async def daily_sales(conn: AsyncConnection, *, since: datetime, until: datetime) -> list[Row]:
    """Orders and revenue per UTC day in [since, until); cancelled orders do not count."""
    return all_rows(await conn.execute(DAILY_SALES, {"since": since, "until": until}))
