"""POST /api/performance/cache/clear: admin only, scoped, says what it cleared."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.conftest import User


def warm(http: httpx.Client, user: User, *paths: str) -> None:
    for path in paths:
        http.get(path, headers=user.headers)
        assert http.get(path, headers=user.headers).headers["x-cache"] == "HIT", path


def labels(http: httpx.Client, user: User, *paths: str) -> list[str]:
    return [http.get(path, headers=user.headers).headers["x-cache"] for path in paths]


def clear(http: httpx.Client, admin: User, body: dict[str, object] | None = None) -> httpx.Response:
    return http.post("/api/performance/cache/clear", headers=admin.headers, json=body)


def test_only_admins_may_clear(http: httpx.Client, buyer: User) -> None:
    assert http.post("/api/performance/cache/clear").status_code == 401
    refused = http.post("/api/performance/cache/clear", headers=buyer.headers)
    assert refused.status_code == 403
    assert http.get("/api/performance/cache/stats", headers=buyer.headers).status_code == 403


def test_clearing_everything(
    http: httpx.Client, admin: User, make_user: Callable[..., User]
) -> None:
    user = make_user()
    warm(http, user, "/api/wallet", "/api/products?limit=3")
    response = clear(http, admin)
    assert response.status_code == 200
    assert response.json() == {"cache": "on", "cleared": ["all"], "backend": "redis"}
    assert labels(http, user, "/api/wallet", "/api/products?limit=3") == ["MISS", "MISS"]


def test_clearing_one_namespace(
    http: httpx.Client, admin: User, make_user: Callable[..., User]
) -> None:
    user = make_user()
    warm(http, user, "/api/wallet", "/api/orders", "/api/products?limit=4")
    assert clear(http, admin, {"namespace": "wallet"}).json()["cleared"] == ["ns:wallet"]
    assert labels(http, user, "/api/wallet", "/api/orders", "/api/products?limit=4") == [
        "MISS",
        "HIT",
        "HIT",
    ]


def test_clearing_one_users_entries(
    http: httpx.Client, admin: User, make_user: Callable[..., User]
) -> None:
    one, other = make_user(), make_user()
    for user in (one, other):
        warm(http, user, "/api/wallet", "/api/cart", "/api/users/me")
    cleared = clear(http, admin, {"user_id": one.id}).json()["cleared"]
    assert cleared == [
        f"cart:u{one.id}",
        f"orders:u{one.id}",
        f"users:u{one.id}",
        f"wallet:u{one.id}",
    ]
    assert labels(http, one, "/api/wallet", "/api/cart", "/api/users/me") == ["MISS"] * 3
    assert labels(http, other, "/api/wallet", "/api/cart", "/api/users/me") == ["HIT"] * 3
    only_cart = clear(http, admin, {"user_id": other.id, "namespace": "cart"}).json()
    assert only_cart["cleared"] == [f"cart:u{other.id}"]
    assert labels(http, other, "/api/wallet", "/api/cart") == ["HIT", "MISS"]


@pytest.mark.parametrize(
    "body", [{"namespace": "sessions"}, {"user_id": 0}, {"namespace": "products", "user_id": 3}]
)
def test_bad_clear_requests_are_422(
    http: httpx.Client, admin: User, body: dict[str, object]
) -> None:
    assert clear(http, admin, body).status_code == 422


def test_stats_show_counters_per_namespace(http: httpx.Client, admin: User, buyer: User) -> None:
    warm(http, buyer, "/api/users/me")
    stats = http.get("/api/performance/cache/stats", headers=admin.headers).json()
    assert stats["cache"] == "on" and stats["backend"]["serving"] == "redis"
    assert stats["ttl_s"] == {
        "products": 300,
        "wallet": 120,
        "orders": 180,
        "cart": 60,
        "users": 600,
    }
    users = stats["counters"]["users"]
    assert users["hits"] >= 1 and users["misses"] >= 1 and 0 < users["hit_ratio"] < 1
    assert set(users) >= {"hits", "misses", "bypasses", "fallbacks", "invalidations", "coalesced"}
    assert stats["database_statements"] > 0
