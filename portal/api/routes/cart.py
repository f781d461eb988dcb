"""The caller's cart."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from portal.api.deps import CurrentUser, State
from portal.api.models import AUTH_ERRORS, CONFLICT, NOT_FOUND, RequestBody
from portal.api.responses import JSONBytesResponse, json_response
from portal.ids import ID_MAX, BigId
from portal.queries import cart as queries
from portal.queries.products import product_by_id

router = APIRouter(prefix="/api/cart", tags=["cart"])

QUANTITY_MAX = 10_000
ItemId = BigId


class CartItem(BaseModel):
    id: int
    product_id: int
    product_name: str
    price_cents: int
    quantity: int
    active: bool
    stock: int
    added_at: datetime


class Cart(BaseModel):
    items: list[CartItem]
    total_cents: int


class CartItemAdd(RequestBody):
    product_id: int = Field(ge=1, le=ID_MAX)
    quantity: int = Field(default=1, ge=1, le=QUANTITY_MAX)


class CartItemChange(RequestBody):
    quantity: int = Field(ge=1, le=QUANTITY_MAX)


@router.get("", response_model=Cart, responses=AUTH_ERRORS)
async def get_cart(state: State, user: CurrentUser) -> JSONBytesResponse:
    async with state.engine.connect() as conn:
        cart = await queries.cart_for_user(conn, user_id=user.user_id)
    return json_response(cart)


@router.post(
    "/items", response_model=CartItem, status_code=201, responses=AUTH_ERRORS | NOT_FOUND | CONFLICT
)
async def add_item(state: State, user: CurrentUser, body: CartItemAdd) -> JSONBytesResponse:
    async with state.engine.begin() as conn:
        product = await product_by_id(conn, product_id=body.product_id)
        if product is None:
            raise HTTPException(404, f"No product {body.product_id}.")
        if not product["active"]:
            raise HTTPException(409, f"Product {body.product_id} is not for sale.")
        item = await queries.add_to_cart(
            conn, user_id=user.user_id, product_id=body.product_id, quantity=body.quantity
        )
    return json_response(item, status_code=201)


@router.patch("/items/{item_id}", response_model=CartItem, responses=AUTH_ERRORS | NOT_FOUND)
async def change_item(
    state: State, user: CurrentUser, item_id: ItemId, body: CartItemChange
) -> JSONBytesResponse:
    async with state.engine.begin() as conn:
        item = await queries.set_cart_quantity(
            conn, user_id=user.user_id, item_id=item_id, quantity=body.quantity
        )
    if item is None:
        raise HTTPException(404, f"No cart item {item_id} in your cart.")
    return json_response(item)


@router.delete("/items/{item_id}", status_code=204, responses=AUTH_ERRORS | NOT_FOUND)
async def remove_item(state: State, user: CurrentUser, item_id: ItemId) -> Response:
    async with state.engine.begin() as conn:
        removed = await queries.remove_cart_item(conn, user_id=user.user_id, item_id=item_id)
    if not removed:
        raise HTTPException(404, f"No cart item {item_id} in your cart.")
    return Response(status_code=204)
