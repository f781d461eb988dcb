"""One user never receives another user's cached data: many users, random order, zero leaks."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import User

USERS = 24
REQUESTS = 720
ROUTES = ("/api/wallet", "/api/orders", "/api/cart", "/api/users/me", "/api/orders/{order}")


@dataclass(frozen=True)
class Expected:
    user: User
    balance_cents: int
    order_id: int
    cart_product_id: int


def owner_of(path: str, body: dict[str, Any]) -> object:
    """What in ``body`` identifies whose data it is, per route."""
    if path == "/api/wallet":
        return body["balance_cents"]
    if path == "/api/orders":
        return tuple((o["id"], o["user_id"]) for o in body["orders"])
    if path == "/api/cart":
        return tuple(i["product_id"] for i in body["items"])
    if path == "/api/users/me":
        return body["id"]
    return (body["id"], body["user_id"])


def expected_owner(path: str, e: Expected) -> object:
    if path == "/api/wallet":
        return e.balance_cents
    if path == "/api/orders":
        return ((e.order_id, e.user.id),)
    if path == "/api/cart":
        return (e.cart_product_id,)
    if path == "/api/users/me":
        return e.user.id
    return (e.order_id, e.user.id)


def test_randomised_requests_of_many_users_never_see_each_others_data(
    http: httpx.Client,
    cached_url: str,
    make_user: Callable[..., User],
    make_product: Callable[..., int],
) -> None:
    rng = random.Random(20260101)
    people: list[Expected] = []
    for n in range(USERS):
        # Distinct balances and products make every user's responses distinct.
        user = make_user(balance_cents=10_000 + n)
        bought, kept = make_product(price_cents=1_000), make_product(price_cents=10)
        for product_id in (bought, kept):
            response = http.post(
                "/api/cart/items", headers=user.headers, json={"product_id": product_id}
            )
            assert response.status_code == 201
            if product_id == bought:
                order = http.post("/api/orders", headers=user.headers)
                assert order.status_code == 201
        people.append(Expected(user, 9_000 + n, order.json()["id"], kept))

    plan = [(rng.choice(people), rng.choice(ROUTES)) for _ in range(REQUESTS)]

    # One client shared by the threads (httpx.Client is thread-safe): 12
    # keep-alive connections, so requests of different users interleave.
    limits = httpx.Limits(max_connections=12, max_keepalive_connections=12)
    with httpx.Client(base_url=cached_url, timeout=30, limits=limits) as client:

        def fetch(job: tuple[Expected, str]) -> tuple[str, str, object, Expected]:
            e, route = job
            response = client.get(route.format(order=e.order_id), headers=e.user.headers)
            assert response.status_code == 200, response.text
            return route, response.headers["x-cache"], owner_of(route, response.json()), e

        with ThreadPoolExecutor(max_workers=12) as pool:
            results = list(pool.map(fetch, plan))

    leaks = [
        (route, got, expected_owner(route, e))
        for route, _, got, e in results
        if got != expected_owner(route, e)
    ]
    assert leaks == []
    labels = Counter(label for _, label, _, _ in results)
    assert labels["HIT"] > REQUESTS // 2, labels  # the cache was really in the way
    assert set(labels) <= {"HIT", "MISS"}
