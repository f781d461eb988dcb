"""The caller's wallet: balance, recent ledger entries, top-ups."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import psycopg
import pytest

from tests.conftest import User


def test_a_new_wallet_shows_its_balance_and_ledger(
    client: httpx.Client, make_user: Callable[..., User]
) -> None:
    user = make_user(balance_cents=2_500)
    wallet = client.get("/api/wallet", headers=user.headers).json()
    assert wallet["balance_cents"] == 2_500
    assert [t["amount_cents"] for t in wallet["transactions"]] == [2_500]


def test_top_up_credits_the_wallet_and_writes_the_ledger(
    client: httpx.Client, buyer: User, db: psycopg.Connection
) -> None:
    before = client.get("/api/wallet", headers=buyer.headers).json()["balance_cents"]
    response = client.post("/api/wallet/top-up", headers=buyer.headers, json={"amount_cents": 750})
    assert response.status_code == 201
    assert response.json()["balance_cents"] == before + 750
    assert response.json()["transaction"]["kind"] == "top_up"
    wallet = client.get("/api/wallet", headers=buyer.headers).json()
    assert wallet["transactions"][0]["amount_cents"] == 750  # newest first
    ledger = db.execute(
        "SELECT sum(amount_cents) FROM wallet_transactions WHERE user_id = %s", (buyer.id,)
    ).fetchone()[0]  # type: ignore[index]
    assert ledger == wallet["balance_cents"]


def test_recent_transactions_are_bounded_and_newest_first(
    client: httpx.Client, dataset_tokens: dict[str, list[tuple[int, str]]], db: psycopg.Connection
) -> None:
    heavy_user, _ = db.execute(
        "SELECT user_id, count(*) FROM wallet_transactions GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
    ).fetchone()  # type: ignore[misc]
    token = dict(dataset_tokens["buyer"] + dataset_tokens["admin"])[heavy_user]
    wallet = client.get("/api/wallet", headers={"Authorization": f"Bearer {token}"}).json()
    stamps = [t["created_at"] for t in wallet["transactions"]]
    assert len(stamps) == 20
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize(
    "body",
    [
        {"amount_cents": 0},
        {"amount_cents": -10},
        {"amount_cents": 10**12},
        {"amount_cents": "ten"},
        {},
    ],
)
def test_bad_top_ups_are_422(client: httpx.Client, buyer: User, body: dict[str, object]) -> None:
    response = client.post("/api/wallet/top-up", headers=buyer.headers, json=body)
    assert response.status_code == 422
    assert "amount_cents" in response.json()["detail"]
