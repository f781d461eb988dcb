"""Product catalogue: anyone signed in may read, admins may write."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.exceptions import HTTPException

from portal.api.cursors import PAGE_MAX
from portal.api.deps import SIGNED_IN, AdminUser, State
from portal.api.errors import invalid
from portal.api.models import ADMIN_ERRORS, AUTH_ERRORS, CONFLICT, NOT_FOUND, TEXT, RequestBody
from portal.api.responses import JSONBytesResponse, json_response
from portal.ids import INT_MAX, BigId
from portal.queries import audit
from portal.queries import products as queries
from portal.queries.products import ProductFilter, ProductSort

router = APIRouter(prefix="/api/products", tags=["products"])

OFFSET_MAX = 10_000  # deeper offsets cost a scan of everything skipped
ProductId = BigId


class Product(BaseModel):
    id: int
    region_id: int
    category: str
    sku: str
    name: str
    price_cents: int
    stock: int
    active: bool
    updated_at: datetime


class ProductPage(BaseModel):
    products: list[Product]
    limit: int
    offset: int
    has_more: bool


class ProductCreate(RequestBody):
    region_id: int = Field(ge=1, le=INT_MAX)
    category: str = Field(min_length=1, max_length=64, pattern=TEXT)
    sku: str = Field(min_length=1, max_length=64, pattern=TEXT)
    name: str = Field(min_length=1, max_length=200, pattern=TEXT)
    price_cents: int = Field(ge=0, le=10**12)
    stock: int = Field(ge=0, le=2**31 - 1)
    active: bool = True


# The default of a field not sent. Typed Any, so each field's type stays what may
# be sent: ``int``, not ``int | None``.
UNSENT: Any = None


class ProductUpdate(RequestBody, json_schema_extra={"minProperties": 1}):
    """Only the fields sent change (the route reads ``model_dump(exclude_unset=True)``).

    A field not sent is None, but null is no value to send: the types say
    ``int``, not ``int | None``, so the schema offers no null and pydantic refuses
    one with the field's own 422. (A union would name the member that failed in
    the error, ``active.bool``, and keep a bound out of the schema's words.)
    """

    region_id: int = Field(default=UNSENT, ge=1, le=INT_MAX)
    category: str = Field(default=UNSENT, min_length=1, max_length=64, pattern=TEXT)
    sku: str = Field(default=UNSENT, min_length=1, max_length=64, pattern=TEXT)
    name: str = Field(default=UNSENT, min_length=1, max_length=200, pattern=TEXT)
    price_cents: int = Field(default=UNSENT, ge=0, le=10**12)
    stock: int = Field(default=UNSENT, ge=0, le=2**31 - 1)
    active: bool = Field(default=UNSENT)


_ACTIVE = {"true": True, "false": False, "all": None}


@router.get("", response_model=ProductPage, responses=AUTH_ERRORS, dependencies=[SIGNED_IN])
async def list_products(
    state: State,
    region_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    category: Annotated[str | None, Query(min_length=1, max_length=64, pattern=TEXT)] = None,
    active: Annotated[
        Literal["true", "false", "all"], Query(description="Active products only by default.")
    ] = "true",
    min_price_cents: Annotated[int | None, Query(ge=0)] = None,
    max_price_cents: Annotated[int | None, Query(ge=0)] = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=100, pattern=TEXT, description="In name or SKU."),
    ] = None,
    sort: ProductSort = "id",
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 20,
    offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0,
) -> JSONBytesResponse:
    if (
        min_price_cents is not None
        and max_price_cents is not None
        and min_price_cents > max_price_cents
    ):
        raise invalid("query", "min_price_cents", "must not exceed max_price_cents")
    filters = ProductFilter(
        region_id=region_id,
        category=category,
        active=_ACTIVE[active],
        min_price_cents=min_price_cents,
        max_price_cents=max_price_cents,
        q=q,
    )
    async with state.engine.connect() as conn:
        rows, has_more = await queries.search_products(
            conn, filters=filters, sort=sort, limit=limit, offset=offset
        )
    return json_response({"products": rows, "limit": limit, "offset": offset, "has_more": has_more})


@router.get(
    "/{product_id}",
    response_model=Product,
    responses=AUTH_ERRORS | NOT_FOUND,
    dependencies=[SIGNED_IN],
)
async def get_product(state: State, product_id: ProductId) -> JSONBytesResponse:
    async with state.engine.connect() as conn:
        row = await queries.product_by_id(conn, product_id=product_id)
    if row is None:
        raise HTTPException(404, f"No product {product_id}.")
    return json_response(row)


async def _check_region(conn: AsyncConnection, region_id: int | None) -> None:
    if region_id is not None and not await queries.region_exists(conn, region_id=region_id):
        raise invalid("body", "region_id", f"no region {region_id}")


async def _check_sku(conn: AsyncConnection, sku: str, product_id: int = 0) -> None:
    holder = await queries.sku_holder(conn, sku=sku, product_id=product_id)
    if holder is not None:
        raise HTTPException(409, f"SKU {sku!r} is product {holder}'s: SKUs are unique.")


@router.post("", response_model=Product, status_code=201, responses=ADMIN_ERRORS | CONFLICT)
async def create_product(state: State, admin: AdminUser, body: ProductCreate) -> JSONBytesResponse:
    async with state.engine.begin() as conn:
        await _check_region(conn, body.region_id)
        await _check_sku(conn, body.sku)
        row = await queries.create_product(conn, fields=body.model_dump())
        await audit.record(
            conn, user_id=admin.user_id, action="product.create", detail={"id": row["id"]}
        )
    return json_response(row, status_code=201)


@router.patch(
    "/{product_id}", response_model=Product, responses=ADMIN_ERRORS | NOT_FOUND | CONFLICT
)
async def update_product(
    state: State, admin: AdminUser, product_id: ProductId, body: ProductUpdate
) -> JSONBytesResponse:
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise invalid("body", "body", "nothing to update: send at least one field")
    async with state.engine.begin() as conn:
        await _check_region(conn, changes.get("region_id"))
        if "sku" in changes:
            await _check_sku(conn, changes["sku"], product_id)
        row = await queries.update_product(conn, product_id=product_id, changes=changes)
        if row is None:
            raise HTTPException(404, f"No product {product_id}.")
        await audit.record(
            conn,
            user_id=admin.user_id,
            action="product.update",
            detail={"id": product_id, **changes},
        )
    return json_response(row)
