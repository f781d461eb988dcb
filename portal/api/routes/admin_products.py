"""Product lookups for admins: by SKU, and how a product sells."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from portal.api.deps import ADMIN_ONLY, State
from portal.api.models import ADMIN_ERRORS, NOT_FOUND, TEXT
from portal.api.responses import JSONBytesResponse, json_response
from portal.api.routes.products import Product, ProductId
from portal.queries import products as queries
from portal.queries.cart import carts_holding_product

# Every route here is for admins only.
router = APIRouter(prefix="/api/admin/products", tags=["admin"], dependencies=[ADMIN_ONLY])

Sku = Annotated[str, Path(min_length=1, max_length=64, pattern=TEXT)]


class ProductSales(BaseModel):
    product_id: int
    order_lines: int
    units: int
    revenue_cents: int
    cart_lines: int
    units_in_carts: int


@router.get("/by-sku/{sku}", response_model=Product, responses=ADMIN_ERRORS | NOT_FOUND)
async def product_by_sku(state: State, sku: Sku) -> JSONBytesResponse:
    """The product with exactly this SKU (case-sensitive, as stored)."""
    async with state.engine.connect() as conn:
        row = await queries.product_by_sku(conn, sku=sku)
    if row is None:
        raise HTTPException(404, f"No product with SKU {sku!r}.")
    return json_response(row)


@router.get("/{product_id}/sales", response_model=ProductSales, responses=ADMIN_ERRORS | NOT_FOUND)
async def product_sales(state: State, product_id: ProductId) -> JSONBytesResponse:
    """Units and revenue over all orders, and the demand still sitting in carts."""
    async with state.engine.connect() as conn:
        if await queries.product_by_id(conn, product_id=product_id) is None:
            raise HTTPException(404, f"No product {product_id}.")
        sales = await queries.sales_for_product(conn, product_id=product_id)
        carts = await carts_holding_product(conn, product_id=product_id)
    return json_response(
        {
            "product_id": product_id,
            **sales,
            "cart_lines": carts["cart_lines"],
            "units_in_carts": carts["units"],
        }
    )
