"""The product catalogue: filtered listing, lookup, admin create and update."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import User


def listing(client: httpx.Client, user: User, **params: str | int) -> dict[str, Any]:
    response = client.get("/api/products", headers=user.headers, params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def test_listing_returns_active_products_in_id_order_by_default(
    client: httpx.Client, buyer: User
) -> None:
    page = listing(client, buyer, limit=50)
    ids = [p["id"] for p in page["products"]]
    assert len(ids) == 50 and ids == sorted(ids)
    assert all(p["active"] for p in page["products"])
    assert page["has_more"] is True


def test_filters_combine(client: httpx.Client, buyer: User, db: psycopg.Connection) -> None:
    region_id, category = db.execute(
        "SELECT region_id, category FROM products WHERE active"
        " GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()  # type: ignore[misc]
    page = listing(
        client, buyer, region_id=region_id, category=category,
        min_price_cents=100, max_price_cents=10**9, limit=100,
    )  # fmt: skip
    expected = db.execute(
        "SELECT count(*) FROM products WHERE region_id = %s AND category = %s AND active"
        " AND price_cents BETWEEN 100 AND 1000000000",
        (region_id, category),
    ).fetchone()[0]  # type: ignore[index]
    assert len(page["products"]) == min(expected, 100)
    for product in page["products"]:
        assert (product["region_id"], product["category"]) == (region_id, category)


def test_active_all_and_false(
    client: httpx.Client, buyer: User, make_product: Callable[..., int]
) -> None:
    make_product(active=False)
    inactive = listing(client, buyer, active="false", limit=100)["products"]
    assert inactive and not any(p["active"] for p in inactive)
    both = listing(client, buyer, active="all", sort="-updated_at", limit=100)["products"]
    assert {p["active"] for p in both} == {True, False}


def test_text_search_matches_name_or_sku_case_insensitively(
    client: httpx.Client, buyer: User, db: psycopg.Connection
) -> None:
    sku = db.execute("SELECT sku FROM products WHERE active ORDER BY id LIMIT 1").fetchone()[0]  # type: ignore[index]
    found = listing(client, buyer, q=sku.lower())["products"]
    assert sku in [p["sku"] for p in found]
    assert listing(client, buyer, q="%_%")["products"] == []  # wildcards are literal


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [("price", "price_cents", False), ("-price", "price_cents", True), ("name", "name", False)],
)
def test_sorting(client: httpx.Client, buyer: User, sort: str, key: str, reverse: bool) -> None:
    values = [p[key] for p in listing(client, buyer, sort=sort, limit=100)["products"]]
    assert values == sorted(values, reverse=reverse)


def test_offset_pages_do_not_overlap(client: httpx.Client, buyer: User) -> None:
    first = listing(client, buyer, limit=10, offset=0)["products"]
    second = listing(client, buyer, limit=10, offset=10)["products"]
    assert {p["id"] for p in first}.isdisjoint({p["id"] for p in second})


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 101},
        {"limit": 0},
        {"offset": -1},
        {"offset": 10_001},
        {"sort": "random"},
        {"active": "maybe"},
        {"region_id": "north"},
        {"min_price_cents": -5},
        {"min_price_cents": 500, "max_price_cents": 100},
        {"q": "x" * 101},
    ],
)
def test_bad_listing_parameters_are_422_with_the_field_named(
    client: httpx.Client, buyer: User, params: dict[str, str | int]
) -> None:
    response = client.get("/api/products", headers=buyer.headers, params=params)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any(name in detail for name in params)


def test_get_one_product_and_404(
    client: httpx.Client, buyer: User, make_product: Callable[..., int]
) -> None:
    product_id = make_product(price_cents=4321)
    response = client.get(f"/api/products/{product_id}", headers=buyer.headers)
    assert response.status_code == 200
    assert response.json()["price_cents"] == 4321
    missing = client.get("/api/products/999999999", headers=buyer.headers)
    assert missing.status_code == 404
    assert "999999999" in missing.json()["detail"]
    assert client.get("/api/products/abc", headers=buyer.headers).status_code == 422


NEW_PRODUCT = {
    "region_id": 1,
    "category": "fasteners",
    "sku": "NEW-1",
    "name": "Hex bolt M8",
    "price_cents": 125,
    "stock": 40,
}


def test_an_admin_creates_and_updates_a_product(
    client: httpx.Client, admin: User, db: psycopg.Connection
) -> None:
    created = client.post("/api/products", headers=admin.headers, json=NEW_PRODUCT)
    assert created.status_code == 201, created.text
    product = created.json()
    assert {k: product[k] for k in NEW_PRODUCT} == NEW_PRODUCT and product["active"] is True
    updated = client.patch(
        f"/api/products/{product['id']}",
        headers=admin.headers,
        json={"price_cents": 99, "active": False},
    )
    assert updated.status_code == 200
    assert (updated.json()["price_cents"], updated.json()["active"]) == (99, False)
    assert updated.json()["updated_at"] >= product["updated_at"]
    audit = db.execute(
        "SELECT action FROM audit_log WHERE user_id = %s ORDER BY id", (admin.id,)
    ).fetchall()
    assert [a[0] for a in audit] == ["product.create", "product.update"]


@pytest.mark.parametrize(
    "body",
    [
        {**NEW_PRODUCT, "price_cents": -1},
        {**NEW_PRODUCT, "name": ""},
        {**NEW_PRODUCT, "region_id": 999_999},
        {k: v for k, v in NEW_PRODUCT.items() if k != "sku"},
        {**NEW_PRODUCT, "stock": "many"},
    ],
)
def test_bad_product_bodies_are_422(
    client: httpx.Client, admin: User, body: dict[str, object]
) -> None:
    response = client.post("/api/products", headers=admin.headers, json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(("Invalid request", "region_id"))


def test_patch_rules(client: httpx.Client, admin: User, make_product: Callable[..., int]) -> None:
    product_id = make_product()
    assert (
        client.patch(f"/api/products/{product_id}", headers=admin.headers, json={}).status_code
        == 422
    )
    assert (
        client.patch(
            f"/api/products/{product_id}", headers=admin.headers, json={"name": None}
        ).status_code
        == 422
    )
    assert (
        client.patch(
            "/api/products/999999999", headers=admin.headers, json={"stock": 1}
        ).status_code
        == 404
    )


def test_a_sku_belongs_to_one_product(client: httpx.Client, admin: User) -> None:
    """by-sku promises one product, so a second product with that SKU is a 409."""
    taken = client.get("/api/products?limit=2", headers=admin.headers).json()["products"]
    first, second = taken
    duplicate = client.post("/api/products", headers=admin.headers,
                            json={**NEW_PRODUCT, "sku": first["sku"]})  # fmt: skip
    assert duplicate.status_code == 409
    assert f"is product {first['id']}'s" in duplicate.json()["detail"]
    renamed = client.patch(f"/api/products/{second['id']}", headers=admin.headers,
                           json={"sku": first["sku"]})  # fmt: skip
    assert renamed.status_code == 409
    kept = client.patch(f"/api/products/{first['id']}", headers=admin.headers,
                        json={"sku": first["sku"]})  # fmt: skip
    assert kept.status_code == 200  # its own SKU again is no conflict


def test_racing_creates_of_one_new_sku_make_one_product(base_url: str, admin: User) -> None:
    sku = f"RACE-{time.time_ns()}"

    def create(_: int) -> int:
        with httpx.Client(base_url=base_url, timeout=15) as http:
            body = {**NEW_PRODUCT, "sku": sku}
            return http.post("/api/products", headers=admin.headers, json=body).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(create, range(6)))
    assert statuses == [201] + [409] * 5
