"""The caller's orders and checkout."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from portal.api.cursors import Before, PageLimit, decode_cursor, keyset_page
from portal.api.deps import CurrentUser, State
from portal.api.idempotency import IdempotencyKey, once
from portal.api.models import AUTH_ERRORS, CONFLICT, NOT_FOUND
from portal.api.responses import JSONBytesResponse, json_response
from portal.ids import BigId
from portal.queries import orders as queries
from portal.queries.orders import CheckoutRefused

router = APIRouter(prefix="/api/orders", tags=["orders"])


OrderStatus = Literal["pending", "paid", "shipped", "delivered", "cancelled"]


class OrderSummary(BaseModel):
    id: int
    user_id: int
    status: OrderStatus
    total_cents: int
    item_count: int
    created_at: datetime


class OrderPage(BaseModel):
    orders: list[OrderSummary] = Field(description="Newest first.")
    next_cursor: str | None = Field(
        description="Pass as `before` for the next page; null at the end."
    )


class OrderItem(BaseModel):
    line_no: int
    product_id: int
    product_name: str
    quantity: int
    unit_price_cents: int


class Order(OrderSummary):
    items: list[OrderItem]


@router.get("", response_model=OrderPage, responses=AUTH_ERRORS)
async def list_orders(
    state: State,
    user: CurrentUser,
    limit: PageLimit = 20,
    before: Before = None,
) -> JSONBytesResponse:
    position = decode_cursor(before) if before else None
    async with state.engine.connect() as conn:
        rows = await queries.orders_for_user(
            conn, user_id=user.user_id, limit=limit, before=position
        )
    return json_response(keyset_page(rows, limit))


@router.get("/{order_id}", response_model=Order, responses=AUTH_ERRORS | NOT_FOUND)
async def get_order(state: State, user: CurrentUser, order_id: BigId) -> JSONBytesResponse:
    async with state.engine.connect() as conn:
        order = await queries.order_with_items(conn, order_id=order_id)
    # Someone else's order is "not found", not "forbidden": ids are not secrets,
    # but whether an order exists is the owner's business.
    if order is None or (order["user_id"] != user.user_id and not user.is_admin):
        raise HTTPException(404, f"No order {order_id}.")
    return json_response(order)


@router.post("", response_model=Order, status_code=201, responses=AUTH_ERRORS | CONFLICT)
async def checkout(
    state: State, user: CurrentUser, idempotency_key: IdempotencyKey = None
) -> JSONBytesResponse:
    """Buy the caller's cart in one transaction: debit, order, items, empty cart. With an
    ``Idempotency-Key``, a repeat buys nothing and gets the first answer."""
    try:
        async with state.engine.begin() as conn:

            async def write() -> Any:
                return await queries.checkout(conn, user_id=user.user_id)

            return await once(
                conn, user_id=user.user_id, key=idempotency_key, route="POST /api/orders",
                request=None, write=write, status_code=201,
            )  # fmt: skip
    except CheckoutRefused as refused:
        raise HTTPException(409, str(refused)) from None
