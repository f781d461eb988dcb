"""The caller's profile."""

from __future__ import annotations

import httpx

from tests.conftest import User


def test_me_describes_the_caller_with_company_and_region(client: httpx.Client, buyer: User) -> None:
    response = client.get("/api/users/me", headers=buyer.headers)
    assert response.status_code == 200
    me = response.json()
    assert me["id"] == buyer.id and me["role"] == "buyer"
    assert me["company_id"] == 1 and me["region_code"]
