"""Each write route makes exactly the cached reads it changes fresh again.

``SCENARIOS`` has one scenario per declared write route, and the first tests
check that the declarations cover every write route of the app: a route added
later must be declared in ``portal/cache/policy.py`` and tested here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest

from portal import Settings, create_app
from portal.cache import CACHED_ROUTES, INVALIDATIONS
from tests.conftest import User

OPENAPI = create_app(Settings()).openapi()
WRITE_ROUTES = sorted(
    (method.upper(), path)
    for path, item in OPENAPI["paths"].items()
    for method in item
    if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}
)


def test_every_write_route_of_the_app_declares_what_it_invalidates() -> None:
    undeclared = [route for route in WRITE_ROUTES if route not in INVALIDATIONS]
    assert not undeclared, f"add these to INVALIDATIONS in portal/cache/policy.py: {undeclared}"
    assert len(WRITE_ROUTES) >= 8


def test_the_declarations_name_only_routes_the_app_has() -> None:
    assert set(INVALIDATIONS) <= set(WRITE_ROUTES)
    gets = {path for path, item in OPENAPI["paths"].items() if "get" in item}
    assert {route.path for route in CACHED_ROUTES} <= gets


@dataclass
class World:
    http: httpx.Client
    db: psycopg.Connection
    make_user: Callable[..., User]
    make_product: Callable[..., int]
    admin: User

    def cached(self, path: str, user: User) -> httpx.Response:
        """GET twice; the second must be a hit (so a later MISS proves invalidation)."""
        self.http.get(path, headers=user.headers)
        response = self.http.get(path, headers=user.headers)
        assert response.headers["x-cache"] == "HIT", path
        return response

    def fresh(self, path: str, user: User) -> httpx.Response:
        response = self.http.get(path, headers=user.headers)
        assert response.status_code == 200
        assert response.headers["x-cache"] == "MISS", path
        return response

    def still_cached(self, path: str, user: User) -> None:
        assert self.http.get(path, headers=user.headers).headers["x-cache"] == "HIT", path

    def add_to_cart(self, user: User, product_id: int, quantity: int = 1) -> dict[str, Any]:
        response = self.http.post(
            "/api/cart/items",
            headers=user.headers,
            json={"product_id": product_id, "quantity": quantity},
        )
        assert response.status_code == 201, response.text
        item: dict[str, Any] = response.json()
        return item


def create_product(w: World) -> None:
    buyer = w.make_user()
    listing = "/api/products?sort=-updated_at&active=all&limit=5"
    w.cached(listing, buyer)
    w.cached("/api/wallet", buyer)
    sku = f"INV-{time.time_ns()}"
    body = {"region_id": 1, "category": "c", "sku": sku, "name": "n", "price_cents": 1, "stock": 5}
    created = w.http.post("/api/products", headers=w.admin.headers, json=body)
    assert created.status_code == 201
    assert created.json()["id"] in [p["id"] for p in w.fresh(listing, buyer).json()["products"]]
    w.still_cached("/api/wallet", buyer)


def update_product(w: World) -> None:
    buyer = w.make_user(balance_cents=50_000)
    product_id = w.make_product(price_cents=100)
    other_id = w.make_product(price_cents=200)
    w.add_to_cart(buyer, product_id)
    one, other = f"/api/products/{product_id}", f"/api/products/{other_id}"
    listing = "/api/products?sort=-updated_at&active=all&limit=5"
    for path in (one, other, listing, "/api/cart"):
        w.cached(path, buyer)
    changed = w.http.patch(one, headers=w.admin.headers, json={"price_cents": 175})
    assert changed.status_code == 200
    assert w.fresh(one, buyer).json()["price_cents"] == 175
    prices = {p["id"]: p["price_cents"] for p in w.fresh(listing, buyer).json()["products"]}
    assert prices[product_id] == 175
    assert w.fresh("/api/cart", buyer).json()["items"][0]["price_cents"] == 175
    w.still_cached(other, buyer)  # another product's entry is untouched


def checkout(w: World) -> None:
    buyer, bystander = w.make_user(balance_cents=10_000), w.make_user(balance_cents=10_000)
    w.add_to_cart(buyer, w.make_product(price_cents=2_500))
    for user in (buyer, bystander):
        for path in ("/api/orders", "/api/wallet", "/api/cart"):
            w.cached(path, user)
    w.cached("/api/users/me", buyer)
    order = w.http.post("/api/orders", headers=buyer.headers)
    assert order.status_code == 201
    assert [o["id"] for o in w.fresh("/api/orders", buyer).json()["orders"]] == [order.json()["id"]]
    assert w.fresh("/api/wallet", buyer).json()["balance_cents"] == 7_500
    assert w.fresh("/api/cart", buyer).json()["items"] == []
    w.still_cached("/api/users/me", buyer)
    for path in ("/api/orders", "/api/wallet", "/api/cart"):
        w.still_cached(path, bystander)


def top_up(w: World) -> None:
    buyer, bystander = w.make_user(balance_cents=100), w.make_user(balance_cents=100)
    w.cached("/api/wallet", buyer)
    w.cached("/api/wallet", bystander)
    w.cached("/api/orders", buyer)
    response = w.http.post("/api/wallet/top-up", headers=buyer.headers, json={"amount_cents": 50})
    assert response.status_code == 201
    assert w.fresh("/api/wallet", buyer).json()["balance_cents"] == 150
    w.still_cached("/api/wallet", bystander)
    w.still_cached("/api/orders", buyer)


def add_cart_item(w: World) -> None:
    buyer = w.make_user()
    w.cached("/api/cart", buyer)
    w.cached("/api/wallet", buyer)
    product_id = w.make_product()
    w.add_to_cart(buyer, product_id, 3)
    items = w.fresh("/api/cart", buyer).json()["items"]
    assert [(i["product_id"], i["quantity"]) for i in items] == [(product_id, 3)]
    w.still_cached("/api/wallet", buyer)


def change_cart_item(w: World) -> None:
    buyer = w.make_user()
    item = w.add_to_cart(buyer, w.make_product())
    w.cached("/api/cart", buyer)
    path = f"/api/cart/items/{item['id']}"
    assert w.http.patch(path, headers=buyer.headers, json={"quantity": 9}).status_code == 200
    assert w.fresh("/api/cart", buyer).json()["items"][0]["quantity"] == 9


def remove_cart_item(w: World) -> None:
    buyer = w.make_user()
    item = w.add_to_cart(buyer, w.make_product())
    w.cached("/api/cart", buyer)
    path = f"/api/cart/items/{item['id']}"
    assert w.http.delete(path, headers=buyer.headers).status_code == 204
    assert w.fresh("/api/cart", buyer).json()["items"] == []


def revoke(w: World) -> None:
    buyer = w.make_user()
    w.cached("/api/users/me", buyer)
    assert w.http.post("/api/auth/revoke", headers=buyer.headers).status_code == 204
    assert w.http.get("/api/users/me", headers=buyer.headers).status_code == 401


def clear(w: World) -> None:
    buyer = w.make_user()
    w.cached("/api/wallet", buyer)
    response = w.http.post("/api/performance/cache/clear", headers=w.admin.headers)
    assert response.status_code == 200 and response.json()["cleared"] == ["all"]
    w.fresh("/api/wallet", buyer)


def switch_mode(w: World) -> None:
    # This portal runs without PORTAL_CACHE_SWITCH, so the switch is refused; that a
    # switch that happens invalidates nothing either is test_runtime_switch.py's.
    buyer = w.make_user()
    w.cached("/api/wallet", buyer)
    body = {"mode": "off", "workers": 1}
    response = w.http.post("/api/performance/cache/mode", headers=w.admin.headers, json=body)
    assert response.status_code == 409
    w.still_cached("/api/wallet", buyer)


SCENARIOS: dict[tuple[str, str], Callable[[World], None]] = {
    ("POST", "/api/products"): create_product,
    ("PATCH", "/api/products/{product_id}"): update_product,
    ("POST", "/api/orders"): checkout,
    ("POST", "/api/wallet/top-up"): top_up,
    ("POST", "/api/cart/items"): add_cart_item,
    ("PATCH", "/api/cart/items/{item_id}"): change_cart_item,
    ("DELETE", "/api/cart/items/{item_id}"): remove_cart_item,
    ("POST", "/api/auth/revoke"): revoke,
    ("POST", "/api/performance/cache/clear"): clear,
    ("POST", "/api/performance/cache/mode"): switch_mode,
}


def test_every_declared_write_route_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(INVALIDATIONS)


@pytest.mark.parametrize("route", sorted(SCENARIOS), ids=lambda r: f"{r[0]} {r[1]}")
def test_a_write_invalidates_what_it_changes_and_nothing_else(
    http: httpx.Client,
    db: psycopg.Connection,
    make_user: Callable[..., User],
    make_product: Callable[..., int],
    admin: User,
    route: tuple[str, str],
) -> None:
    SCENARIOS[route](World(http, db, make_user, make_product, admin))


def test_a_refused_write_invalidates_nothing(
    http: httpx.Client, make_user: Callable[..., User]
) -> None:
    buyer = make_user()
    http.get("/api/orders", headers=buyer.headers)
    assert http.post("/api/orders", headers=buyer.headers).status_code == 409  # empty cart
    assert http.get("/api/orders", headers=buyer.headers).headers["x-cache"] == "HIT"
