"""Every /api route needs a valid bearer token; admin routes need the admin role."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import psycopg
import pytest

from portal import Settings, create_app
from tests.conftest import User

# From the OpenAPI schema, so a route added later is covered without editing this list.
API_ROUTES = [
    (method.upper(), path)
    for path, operations in create_app(Settings()).openapi()["paths"].items()
    if path.startswith("/api/")
    for method in sorted(operations)
]
ADMIN_ROUTES = [("POST", "/api/products"), ("PATCH", "/api/products/{product_id}")]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_the_route_table_is_not_empty() -> None:
    assert len(API_ROUTES) >= 12


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
def test_every_api_route_answers_401_without_a_token(
    client: httpx.Client, method: str, path: str
) -> None:
    response = client.request(method, concrete(path))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "bearer token" in response.json()["detail"].lower()


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
def test_every_api_route_answers_401_to_an_unknown_token(
    client: httpx.Client, method: str, path: str
) -> None:
    response = client.request(method, concrete(path), headers={"Authorization": "Bearer pp_nope"})
    assert response.status_code == 401
    assert "invalid" in response.json()["detail"].lower()


@pytest.mark.parametrize("scheme", ["Basic abc", "Bearer", "pp_token-without-scheme"])
def test_malformed_authorization_headers_are_401(client: httpx.Client, scheme: str) -> None:
    response = client.get("/api/users/me", headers={"Authorization": scheme})
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_routes_answer_403_to_a_buyer(
    client: httpx.Client, buyer: User, method: str, path: str
) -> None:
    response = client.request(method, concrete(path), headers=buyer.headers, json={"name": "x"})
    assert response.status_code == 403
    assert "admin" in response.json()["detail"]


def test_a_dataset_token_authenticates_its_user(
    client: httpx.Client, dataset_tokens: dict[str, list[tuple[int, str]]]
) -> None:
    user_id, token = dataset_tokens["buyer"][0]
    response = client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["id"] == user_id


def test_a_revoked_token_stops_working_at_once(client: httpx.Client, buyer: User) -> None:
    assert client.get("/api/users/me", headers=buyer.headers).status_code == 200
    assert client.post("/api/auth/revoke", headers=buyer.headers).status_code == 204
    assert client.get("/api/users/me", headers=buyer.headers).status_code == 401


def test_known_tokens_are_answered_from_the_in_process_cache(
    client: httpx.Client, db: psycopg.Connection, make_user: Callable[..., User]
) -> None:
    # Revoking behind the portal's back (not via the API) proves the second
    # request did not ask the database who the token belongs to.
    user = make_user()
    assert client.get("/api/users/me", headers=user.headers).status_code == 200
    db.execute("UPDATE api_tokens SET revoked_at = now() WHERE user_id = %s", (user.id,))
    assert client.get("/api/users/me", headers=user.headers).status_code == 200
    fresh = make_user()
    db.execute("UPDATE api_tokens SET revoked_at = now() WHERE user_id = %s", (fresh.id,))
    assert client.get("/api/users/me", headers=fresh.headers).status_code == 401


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
def test_two_authorization_headers_are_a_400_on_every_route(
    client: httpx.Client, buyer: User, make_user: Callable[..., User], method: str, path: str
) -> None:
    """Whichever the cache or the app would have read, neither reads either: refused first."""
    other = make_user("buyer")
    for pair in ([buyer.token, other.token], [buyer.token, "garbage"], [buyer.token, buyer.token]):
        headers = [("Authorization", f"Bearer {token}") for token in pair]
        response = client.request(method, concrete(path), headers=headers, json={})
        assert response.status_code == 400, (method, path, response.text)
        assert response.json()["detail"].startswith("Send one Authorization header, not 2")


def test_two_credentials_can_neither_poison_a_users_cache_nor_skip_its_invalidation(
    client: httpx.Client, db: psycopg.Connection, buyer: User, make_user: Callable[..., User]
) -> None:
    """The two attacks an outside tester made work, each now a 400 that changes nothing."""
    victim, attacker = buyer, make_user("buyer", balance_cents=1)  # the victim has 100_000
    # [attacker, victim] while the victim's wallet is not cached: the attacker's
    # wallet must not be stored under the victim's key.
    poisoning = [("Authorization", f"Bearer {t}") for t in (attacker.token, victim.token)]
    assert client.get("/api/wallet", headers=poisoning).status_code == 400
    assert client.get("/api/wallet", headers=victim.headers).json()["balance_cents"] == 100_000
    # [victim, garbage]: a write that went through would have invalidated nothing.
    stale = [("Authorization", f"Bearer {t}") for t in (victim.token, "garbage")]
    top_up = client.post("/api/wallet/top-up", headers=stale, json={"amount_cents": 500})
    assert top_up.status_code == 400
    balance = db.execute("SELECT balance_cents FROM wallets WHERE user_id = %s", (victim.id,))
    assert balance.fetchone() == (100_000,)
    assert client.get("/api/wallet", headers=victim.headers).json()["balance_cents"] == 100_000
