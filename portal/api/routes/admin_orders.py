"""Everyone's orders, for admins: by status, daily sales, an order's ledger entries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from portal.api.cursors import Before, PageLimit, decode_cursor, keyset_page
from portal.api.deps import ADMIN_ONLY, State
from portal.api.errors import invalid
from portal.api.models import ADMIN_ERRORS, NOT_FOUND
from portal.api.responses import JSONBytesResponse, json_response
from portal.api.routes.orders import OrderPage, OrderStatus
from portal.ids import BigId
from portal.queries import order_reports
from portal.queries.orders import order_exists
from portal.queries.wallet import transactions_for_order

# Every route here is for admins only.
router = APIRouter(prefix="/api/admin/orders", tags=["admin"], dependencies=[ADMIN_ONLY])

# A year of days is one screen of a chart; longer spans would read the whole table.
SALES_SPAN_MAX_DAYS = 366


class DailySales(BaseModel):
    day: date
    orders: int
    revenue_cents: int


class SalesReport(BaseModel):
    since: date
    until: date
    days: list[DailySales] = Field(description="Days without sales are left out.")


class LedgerEntry(BaseModel):
    id: int
    user_id: int
    amount_cents: int
    kind: Literal["top_up", "purchase", "refund"]
    order_id: int | None
    created_at: datetime


class OrderLedger(BaseModel):
    order_id: int
    transactions: list[LedgerEntry] = Field(description="Oldest first.")


@router.get("", response_model=OrderPage, responses=ADMIN_ERRORS)
async def recent_orders(
    state: State,
    status: OrderStatus | None = None,
    limit: PageLimit = 20,
    before: Before = None,
) -> JSONBytesResponse:
    """All users' orders, newest first, optionally in one status."""
    position = decode_cursor(before) if before else None
    async with state.engine.connect() as conn:
        rows = await order_reports.recent_orders_for_admin(
            conn, status=status, limit=limit, before=position
        )
    return json_response(keyset_page(rows, limit))


@router.get("/daily-sales", response_model=SalesReport, responses=ADMIN_ERRORS)
async def daily_sales(
    state: State,
    since: Annotated[date, Query(description="First day (UTC), inclusive.")],
    until: Annotated[date, Query(description="Last day (UTC), inclusive.")],
) -> JSONBytesResponse:
    """Orders and revenue per UTC day; cancelled orders do not count."""
    if until < since:
        raise invalid("query", "until", "must not be before since")
    if (until - since).days >= SALES_SPAN_MAX_DAYS:
        raise invalid("query", "until", f"the range may span at most {SALES_SPAN_MAX_DAYS} days")
    start = datetime.combine(since, time.min, tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
    async with state.engine.connect() as conn:
        days = await order_reports.daily_sales(conn, since=start, until=end)
    return json_response({"since": since, "until": until, "days": days})


@router.get(
    "/{order_id}/transactions", response_model=OrderLedger, responses=ADMIN_ERRORS | NOT_FOUND
)
async def order_transactions(state: State, order_id: BigId) -> JSONBytesResponse:
    """The wallet entries one order caused: its purchase and any refunds."""
    async with state.engine.connect() as conn:
        if not await order_exists(conn, order_id=order_id):
            raise HTTPException(404, f"No order {order_id}.")
        rows = await transactions_for_order(conn, order_id=order_id)
    return json_response({"order_id": order_id, "transactions": rows})
