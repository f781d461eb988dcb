"""Every response of a cached route says what the cache did: HIT, MISS or BYPASS."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest

from tests.conftest import User

PER_USER = ["/api/wallet", "/api/orders", "/api/cart", "/api/users/me"]


def unique_listing() -> str:
    """A products query no other test has cached (q matches nothing, which is fine)."""
    return f"/api/products?limit=5&q={uuid.uuid4().hex[:12]}"


def test_a_miss_then_hits_with_the_same_bytes(http: httpx.Client, buyer: User) -> None:
    path = unique_listing()
    first = http.get(path, headers=buyer.headers)
    second = http.get(path, headers=buyer.headers)
    third = http.get(path, headers=buyer.headers)
    assert [r.status_code for r in (first, second, third)] == [200, 200, 200]
    assert [r.headers["x-cache"] for r in (first, second, third)] == ["MISS", "HIT", "HIT"]
    assert second.headers["x-cache-backend"] == "redis"
    assert second.content == first.content == third.content
    assert second.headers["content-type"] == "application/json"
    assert int(second.headers["content-length"]) == len(first.content)
    assert "cache-control" not in second.headers  # shared data is not "private"


@pytest.mark.parametrize("path", PER_USER)
def test_per_user_routes_are_private_on_miss_and_hit(
    http: httpx.Client, make_user: Callable[..., User], path: str
) -> None:
    user = make_user(balance_cents=700)
    miss = http.get(path, headers=user.headers)
    hit = http.get(path, headers=user.headers)
    assert (miss.headers["x-cache"], hit.headers["x-cache"]) == ("MISS", "HIT")
    assert miss.headers["cache-control"] == hit.headers["cache-control"] == "private"
    assert hit.content == miss.content


def test_one_product_is_cached_but_only_when_it_exists(
    http: httpx.Client, buyer: User, make_product: Callable[..., int]
) -> None:
    product_id = make_product(price_cents=1234)
    path = f"/api/products/{product_id}"
    assert http.get(path, headers=buyer.headers).headers["x-cache"] == "MISS"
    hit = http.get(path, headers=buyer.headers)
    assert hit.headers["x-cache"] == "HIT" and hit.json()["price_cents"] == 1234
    # Only 200s are stored: a 404 is computed every time.
    for _ in range(2):
        missing = http.get("/api/products/999999999", headers=buyer.headers)
        assert (missing.status_code, missing.headers["x-cache"]) == (404, "MISS")


def test_errors_are_never_stored(http: httpx.Client, buyer: User) -> None:
    for _ in range(2):
        response = http.get("/api/products?limit=0", headers=buyer.headers)
        assert (response.status_code, response.headers["x-cache"]) == (422, "MISS")


def test_the_bypass_header_skips_reading_and_storing(http: httpx.Client, buyer: User) -> None:
    path = unique_listing()
    bypassed = http.get(path, headers={**buyer.headers, "X-Cache-Bypass": "1"})
    assert (bypassed.status_code, bypassed.headers["x-cache"]) == (200, "BYPASS")
    assert "x-cache-backend" not in bypassed.headers
    assert http.get(path, headers=buyer.headers).headers["x-cache"] == "MISS"  # not stored
    assert http.get(path, headers=buyer.headers).headers["x-cache"] == "HIT"
    again = http.get(path, headers={**buyer.headers, "X-Cache-Bypass": "1"})
    assert again.headers["x-cache"] == "BYPASS"  # not read either
    zero = http.get(path, headers={**buyer.headers, "X-Cache-Bypass": "0"})
    assert zero.headers["x-cache"] == "HIT"


def test_equivalent_queries_share_one_entry(http: httpx.Client, buyer: User) -> None:
    term = uuid.uuid4().hex[:10]
    first = http.get(f"/api/products?limit=3&q={term}&sort=price", headers=buyer.headers)
    reordered = http.get(f"/api/products?sort=price&q={term}&limit=3", headers=buyer.headers)
    undeclared = http.get(f"/api/products?sort=price&q={term}&limit=3&utm=x", headers=buyer.headers)
    other = http.get(f"/api/products?limit=4&q={term}&sort=price", headers=buyer.headers)
    assert [r.headers["x-cache"] for r in (first, reordered, undeclared, other)] == [
        "MISS",
        "HIT",
        "HIT",
        "MISS",
    ]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer pp_unknown"}])
def test_unauthenticated_requests_get_the_apps_401_and_never_a_stored_body(
    http: httpx.Client, buyer: User, headers: dict[str, str]
) -> None:
    path = "/api/products?limit=5"
    assert http.get(path, headers=buyer.headers).status_code == 200
    assert http.get(path, headers=buyer.headers).headers["x-cache"] == "HIT"
    refused = http.get(path, headers=headers)
    assert refused.status_code == 401
    assert refused.headers["x-cache"] == "BYPASS"
    assert refused.headers["www-authenticate"] == "Bearer"
    assert "products" not in refused.json()


def test_a_revoked_token_gets_401_even_for_a_stored_response(
    http: httpx.Client, make_user: Callable[..., User]
) -> None:
    user = make_user()
    assert http.get("/api/users/me", headers=user.headers).headers["x-cache"] == "MISS"
    assert http.get("/api/users/me", headers=user.headers).headers["x-cache"] == "HIT"
    assert http.post("/api/auth/revoke", headers=user.headers).status_code == 204
    after = http.get("/api/users/me", headers=user.headers)
    assert after.status_code == 401 and after.headers["x-cache"] == "BYPASS"


def test_uncached_routes_carry_no_cache_headers(http: httpx.Client, buyer: User) -> None:
    for path in ("/healthz", "/openapi.json"):
        assert "x-cache" not in http.get(path, headers=buyer.headers).headers
    write = http.post("/api/wallet/top-up", headers=buyer.headers, json={"amount_cents": 1})
    assert write.status_code == 201 and "x-cache" not in write.headers
