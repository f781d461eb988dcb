"""The load test's personas and their task mix: one table, read by Locust and docs/loadtests.md.

A persona is who logs in (a buyer or an admin, drawn with the data's own
skew: a buyer with many orders comes up more often) and what they do, each
task with its weight. Tasks act like a person clicking through: a product is
opened from a listing just seen, an order from the history just seen, a cart
line changed right after it was added. They talk to the portal through
``Http`` (the locustfile's adapter around Locust's client), so this module
imports nothing of Locust and can be read anywhere.

Every request is named by its route template (``/api/products/{product_id}``),
so statistics, histograms and the report group by endpoint, never by URL.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from loadtests.load_data import LoadData, LoadUser


class Http(Protocol):
    def call(
        self,
        method: str,
        route: str,
        path: str,
        *,
        body: Any = None,
        ok: tuple[int, ...] = (200,),
    ) -> Any:
        """Send one request named ``route``; the JSON body of an ``ok`` answer, else None."""
        ...


@dataclass
class Visit:
    """One simulated person: who they are, and what they have seen so far."""

    http: Http
    user: LoadUser
    data: LoadData
    rng: random.Random
    products: list[int] = field(default_factory=list)
    orders: list[int] = field(default_factory=list)
    cart_items: list[int] = field(default_factory=list)

    def seen_product(self) -> int:
        return self.rng.choice(self.products) if self.products else 1

    def remember_products(self, page: Any) -> None:
        if page:
            self.products = [product["id"] for product in page["products"]] or self.products


@dataclass(frozen=True)
class Task:
    name: str
    weight: int
    run: Callable[[Visit], None]


@dataclass(frozen=True)
class Persona:
    name: str
    role: str  # whose tokens it logs in with
    weight: int  # how many of the simulated users are this persona
    tasks: tuple[Task, ...]


# -- buyer -------------------------------------------------------------------


def browse_region(visit: Visit) -> None:
    region = visit.rng.choice(visit.data.regions)
    path = f"/api/products?region_id={region}&limit=20"
    visit.remember_products(visit.http.call("GET", "/api/products", path))


def browse_category(visit: Visit) -> None:
    category = visit.rng.choice(visit.data.categories)
    path = f"/api/products?category={category}&limit=20"
    visit.remember_products(visit.http.call("GET", "/api/products", path))


def browse_prices(visit: Visit) -> None:
    low, _, high = visit.data.price_quartiles
    path = f"/api/products?min_price_cents={low}&max_price_cents={high}&sort=price&limit=20"
    visit.remember_products(visit.http.call("GET", "/api/products", path))


def open_product(visit: Visit) -> None:
    product = visit.seen_product()
    visit.http.call("GET", "/api/products/{product_id}", f"/api/products/{product}")


def view_wallet(visit: Visit) -> None:
    visit.http.call("GET", "/api/wallet", "/api/wallet")


def order_history(visit: Visit) -> None:
    page = visit.http.call("GET", "/api/orders", "/api/orders?limit=20")
    if page and page["orders"]:
        visit.orders = [order["id"] for order in page["orders"]]


def open_order(visit: Visit) -> None:
    if not visit.orders:
        order_history(visit)
        return
    order = visit.rng.choice(visit.orders)
    visit.http.call("GET", "/api/orders/{order_id}", f"/api/orders/{order}")


def view_cart(visit: Visit) -> None:
    cart = visit.http.call("GET", "/api/cart", "/api/cart")
    if cart:
        visit.cart_items = [item["id"] for item in cart["items"]]


def edit_cart(visit: Visit) -> None:
    """Add a product seen in a listing; now and then change or remove a line."""
    if visit.cart_items and visit.rng.random() < 0.3:
        item = visit.rng.choice(visit.cart_items)
        if visit.rng.random() < 0.5:
            body = {"quantity": visit.rng.randint(1, 3)}
            visit.http.call("PATCH", "/api/cart/items/{item_id}", f"/api/cart/items/{item}",
                            body=body, ok=(200, 404))  # fmt: skip
        else:
            visit.http.call("DELETE", "/api/cart/items/{item_id}", f"/api/cart/items/{item}",
                            ok=(204, 404))  # fmt: skip
            visit.cart_items.remove(item)
        return
    body = {"product_id": visit.seen_product(), "quantity": 1}
    added = visit.http.call("POST", "/api/cart/items", "/api/cart/items", body=body,
                            ok=(201, 404, 409))  # fmt: skip
    if added and "id" in added:
        visit.cart_items.append(added["id"])


def check_out(visit: Visit) -> None:
    """Buy the cart; a refusal (empty cart, short stock, no money) is an answer, not a failure."""
    order = visit.http.call("POST", "/api/orders", "/api/orders", ok=(201, 409))
    if order and "id" in order:
        visit.orders.insert(0, order["id"])
        visit.cart_items = []


def top_up(visit: Visit) -> None:
    visit.http.call("POST", "/api/wallet/top-up", "/api/wallet/top-up",
                    body={"amount_cents": 50_000}, ok=(201,))  # fmt: skip


# -- admin -------------------------------------------------------------------


def performance_metrics(visit: Visit) -> None:
    visit.http.call("GET", "/api/performance/metrics", "/api/performance/metrics")


def cache_stats(visit: Visit) -> None:
    visit.http.call("GET", "/api/performance/cache/stats", "/api/performance/cache/stats")


def admin_orders(visit: Visit) -> None:
    visit.http.call("GET", "/api/admin/orders", "/api/admin/orders?limit=50")


def daily_sales(visit: Visit) -> None:
    until = date(2026, 11, 1) - timedelta(days=visit.rng.randint(0, 300))
    since = until - timedelta(days=30)
    path = f"/api/admin/orders/daily-sales?since={since}&until={until}"
    visit.http.call("GET", "/api/admin/orders/daily-sales", path)


def update_product(visit: Visit) -> None:
    """A price change: invalidates the catalogue, as the write-up's product updates do."""
    if not visit.products:
        browse_region(visit)
    product = visit.seen_product()
    body = {"price_cents": visit.rng.randint(100, 100_000)}
    visit.http.call("PATCH", "/api/products/{product_id}", f"/api/products/{product}",
                    body=body, ok=(200, 404))  # fmt: skip


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "buyer",
        role="buyer",
        weight=19,
        tasks=(
            Task("browse products by region", 6, browse_region),
            Task("filter products by category", 3, browse_category),
            Task("filter products by price", 2, browse_prices),
            Task("open a product", 4, open_product),
            Task("view the wallet", 3, view_wallet),
            Task("view the order history", 3, order_history),
            Task("open an order", 2, open_order),
            Task("view the cart", 2, view_cart),
            Task("edit the cart", 2, edit_cart),
            Task("check out", 1, check_out),
            Task("top up the wallet", 1, top_up),
        ),
    ),
    Persona(
        "admin",
        role="admin",
        weight=1,
        tasks=(
            Task("list everyone's orders", 3, admin_orders),
            Task("daily sales", 1, daily_sales),
            Task("update a product's price", 1, update_product),
            Task("performance metrics", 1, performance_metrics),
            Task("cache statistics", 1, cache_stats),
        ),
    ),
)


def draw_user(persona: Persona, data: LoadData, rng: random.Random) -> LoadUser:
    """A user of the persona's role, buyers weighted by their orders (plus one)."""
    users = data.buyers() if persona.role == "buyer" else data.admins()
    return rng.choices(users, weights=[user.orders + 1 for user in users])[0]


def personas_of(people: int, rng: random.Random) -> list[Persona]:
    """``people`` personas in the table's proportions, in a random order.

    Each persona's count is its share of ``people`` rounded down or up at
    random (systematic sampling: one uniform offset), so its expected count
    is exactly the share and the counts always sum to ``people``. A free draw
    per person left the admins' count anywhere from 0 to 8 of 64: their price
    changes empty the shared catalogue cache, so that one number set a
    window's hit ratio (correlation -0.86 over a default run's 28 windows,
    spread 9 points) and most of the interval's width. Locust gives its
    weighted user classes fixed counts in the same spirit.
    """
    total = sum(persona.weight for persona in PERSONAS)
    offset = rng.random()
    chosen: list[Persona] = []
    before = 0
    for persona in PERSONAS:
        after = before + persona.weight
        first = math.floor(before * people / total + offset)
        chosen += [persona] * (math.floor(after * people / total + offset) - first)
        before = after
    rng.shuffle(chosen)
    return chosen
