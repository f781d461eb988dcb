"""Admin product lookups: by SKU, and how a product sells."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import psycopg

from tests.conftest import User


def test_product_by_exact_sku(client: httpx.Client, admin: User, db: psycopg.Connection) -> None:
    product_id, sku = db.execute(
        "SELECT id, sku FROM products ORDER BY id LIMIT 1 OFFSET 7"
    ).fetchone()  # type: ignore[misc]
    response = client.get(f"/api/admin/products/by-sku/{sku}", headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["id"] == product_id
    missing = client.get("/api/admin/products/by-sku/NO-SUCH-SKU", headers=admin.headers)
    assert missing.status_code == 404


def test_buyers_are_refused(client: httpx.Client, buyer: User) -> None:
    assert client.get("/api/admin/products/by-sku/X", headers=buyer.headers).status_code == 403
    assert client.get("/api/admin/products/1/sales", headers=buyer.headers).status_code == 403


def test_sales_match_order_lines_and_carts(
    client: httpx.Client, admin: User, db: psycopg.Connection
) -> None:
    product_id = db.execute(
        "SELECT product_id FROM order_items GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]  # type: ignore[index]
    lines, units, revenue = db.execute(
        "SELECT count(*), sum(quantity), sum(quantity * unit_price_cents) FROM order_items"
        " WHERE product_id = %s",
        (product_id,),
    ).fetchone()  # type: ignore[misc]
    cart_lines, cart_units = db.execute(
        "SELECT count(*), coalesce(sum(quantity), 0) FROM cart_items WHERE product_id = %s",
        (product_id,),
    ).fetchone()  # type: ignore[misc]
    response = client.get(f"/api/admin/products/{product_id}/sales", headers=admin.headers)
    assert response.status_code == 200
    assert response.json() == {
        "product_id": product_id,
        "order_lines": lines,
        "units": units,
        "revenue_cents": revenue,
        "cart_lines": cart_lines,
        "units_in_carts": cart_units,
    }


def test_a_product_never_sold_has_zeros(
    client: httpx.Client, admin: User, make_product: Callable[..., int]
) -> None:
    product_id = make_product()
    sales = client.get(f"/api/admin/products/{product_id}/sales", headers=admin.headers).json()
    assert sales["order_lines"] == sales["units"] == sales["revenue_cents"] == 0


def test_unknown_product_is_404_and_bad_id_422(client: httpx.Client, admin: User) -> None:
    assert (
        client.get("/api/admin/products/999999999/sales", headers=admin.headers).status_code == 404
    )
    assert client.get("/api/admin/products/0/sales", headers=admin.headers).status_code == 422
