"""Admin user lookups: by e-mail, one user's tokens and audit trail, a company's users."""

from __future__ import annotations

import httpx
import psycopg
import pytest

from tests.conftest import User


def test_user_by_email_ignores_case(
    client: httpx.Client, admin: User, db: psycopg.Connection
) -> None:
    user_id, email = db.execute(
        "SELECT id, email FROM users ORDER BY id LIMIT 1 OFFSET 3"
    ).fetchone()  # type: ignore[misc]
    response = client.get(
        "/api/admin/users", headers=admin.headers, params={"email": email.upper()}
    )
    assert response.status_code == 200
    assert response.json()["id"] == user_id and response.json()["email"] == email


@pytest.mark.parametrize(("email", "status"), [("nobody@nowhere.test", 404), ("not-an-email", 422)])
def test_unknown_or_invalid_email(
    client: httpx.Client, admin: User, email: str, status: int
) -> None:
    response = client.get("/api/admin/users", headers=admin.headers, params={"email": email})
    assert response.status_code == status


def test_user_detail_has_profile_tokens_and_audit(
    client: httpx.Client, admin: User, buyer: User
) -> None:
    client.post("/api/wallet/top-up", headers=buyer.headers, json={"amount_cents": 500})
    detail = client.get(f"/api/admin/users/{buyer.id}", headers=admin.headers).json()
    assert detail["user"]["id"] == buyer.id
    assert len(detail["tokens"]) == 1 and set(detail["tokens"][0]) == {
        "created_at",
        "expires_at",
        "revoked_at",
    }
    assert detail["audit"][0]["action"] == "wallet.top_up"
    assert detail["audit"][0]["detail"] == {"amount_cents": 500}


def test_unknown_user_is_404(client: httpx.Client, admin: User) -> None:
    assert client.get("/api/admin/users/2147483647", headers=admin.headers).status_code == 404


def test_company_users_in_id_pages(
    client: httpx.Client, admin: User, db: psycopg.Connection
) -> None:
    company_id = db.execute(
        "SELECT company_id FROM users GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]  # type: ignore[index]
    expected = [
        row[0]
        for row in db.execute(
            "SELECT id FROM users WHERE company_id = %s ORDER BY id", (company_id,)
        )
    ]
    path = f"/api/admin/companies/{company_id}/users"
    first = client.get(path, headers=admin.headers, params={"limit": 3}).json()
    assert first["next_after_id"] == first["users"][-1]["id"]
    rest = client.get(
        path, headers=admin.headers, params={"limit": 100, "after_id": first["next_after_id"]}
    ).json()
    assert [u["id"] for u in first["users"] + rest["users"]] == expected[:103]


def test_unknown_company_is_404(client: httpx.Client, admin: User) -> None:
    assert client.get("/api/admin/companies/999999/users", headers=admin.headers).status_code == 404


def test_buyers_are_refused(client: httpx.Client, buyer: User) -> None:
    for path in (
        "/api/admin/users?email=a@b.c",
        f"/api/admin/users/{buyer.id}",
        "/api/admin/companies/1/users",
    ):
        assert client.get(path, headers=buyer.headers).status_code == 403
