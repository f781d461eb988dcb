"""Orders: history with keyset pages, ownership, and checkout's guarantees."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import User


def add(client: httpx.Client, user: User, product_id: int, quantity: int = 1) -> None:
    response = client.post(
        "/api/cart/items",
        headers=user.headers,
        json={"product_id": product_id, "quantity": quantity},
    )
    assert response.status_code == 201, response.text


def balance(db: psycopg.Connection, user: User) -> tuple[int, int]:
    """(wallet balance, ledger sum) — they must always agree."""
    return db.execute(
        "SELECT w.balance_cents, (SELECT sum(amount_cents) FROM wallet_transactions t"
        " WHERE t.user_id = w.user_id) FROM wallets w WHERE w.user_id = %s",
        (user.id,),
    ).fetchone()  # type: ignore[return-value]


def test_checkout_debits_creates_the_order_and_empties_the_cart(
    client: httpx.Client,
    make_user: Callable[..., User],
    make_product: Callable[..., int],
    db: psycopg.Connection,
) -> None:
    user = make_user(balance_cents=10_000)
    cheap, dear = make_product(price_cents=500, stock=10), make_product(price_cents=2_000, stock=10)
    add(client, user, cheap, 2)
    add(client, user, dear, 1)
    response = client.post("/api/orders", headers=user.headers)
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["total_cents"] == 3_000 and order["item_count"] == 2 and order["status"] == "paid"
    assert [(i["product_id"], i["quantity"]) for i in order["items"]] == [(cheap, 2), (dear, 1)]
    assert balance(db, user) == (7_000, 7_000)
    assert client.get("/api/cart", headers=user.headers).json()["items"] == []
    stocks = db.execute(
        "SELECT stock FROM products WHERE id IN (%s, %s) ORDER BY id", (cheap, dear)
    ).fetchall()
    assert [s[0] for s in stocks] == [8, 9]
    assert client.get(f"/api/orders/{order['id']}", headers=user.headers).json() == order


@pytest.mark.parametrize(
    ("balance_cents", "stock", "active", "message"),
    [
        (100, 10, True, "Insufficient funds"),
        (10_000, 0, True, "Not enough stock"),
        (10_000, 10, False, "no longer sold"),
    ],
)
def test_a_refused_checkout_is_409_and_changes_nothing(
    client: httpx.Client,
    make_user: Callable[..., User],
    make_product: Callable[..., int],
    db: psycopg.Connection,
    balance_cents: int,
    stock: int,
    active: bool,
    message: str,
) -> None:
    user = make_user(balance_cents=balance_cents)
    product = make_product(price_cents=1_000, stock=max(stock, 1))
    add(client, user, product, 1)
    db.execute(
        "UPDATE products SET stock = %s, active = %s WHERE id = %s", (stock, active, product)
    )
    response = client.post("/api/orders", headers=user.headers)
    assert response.status_code == 409
    assert message in response.json()["detail"]
    assert balance(db, user) == (balance_cents, balance_cents)
    assert len(client.get("/api/cart", headers=user.headers).json()["items"]) == 1
    assert client.get("/api/orders", headers=user.headers).json()["orders"] == []


def test_an_empty_cart_cannot_be_checked_out(client: httpx.Client, buyer: User) -> None:
    response = client.post("/api/orders", headers=buyer.headers)
    assert response.status_code == 409
    assert response.json()["detail"] == "Your cart is empty."


def test_racing_top_ups_cart_edits_and_checkouts_keep_the_books_straight(
    base_url: str,
    client: httpx.Client,
    make_user: Callable[..., User],
    make_product: Callable[..., int],
    db: psycopg.Connection,
) -> None:
    # 12 clients of one user each add a unit (1,000), top up 1,000 and check
    # out, all at once: checkouts race each other and the top-ups. Whatever the
    # interleaving, the wallet never goes negative, always equals its ledger,
    # and money spent is exactly what the orders cost.
    user = make_user(balance_cents=3_000)
    product = make_product(price_cents=1_000, stock=1_000)

    def shop(_: int) -> list[int]:
        with httpx.Client(base_url=base_url, timeout=30) as http:
            return [
                http.post(
                    "/api/cart/items", headers=user.headers, json={"product_id": product}
                ).status_code,
                http.post(
                    "/api/wallet/top-up", headers=user.headers, json={"amount_cents": 1_000}
                ).status_code,
                http.post("/api/orders", headers=user.headers).status_code,
            ]

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(shop, range(12)))
    assert all(
        added == 201 and topped == 201 and bought in (201, 409) for added, topped, bought in results
    )
    wallet, ledger = balance(db, user)
    assert wallet >= 0 and wallet == ledger

    # Whatever is still in the cart is now affordable: 15,000 came in, 12 units cost 12,000.
    if client.get("/api/cart", headers=user.headers).json()["items"]:
        assert client.post("/api/orders", headers=user.headers).status_code == 201
    assert balance(db, user) == (3_000, 3_000)
    spent, units = db.execute(
        "SELECT sum(o.total_cents), sum(i.quantity) FROM orders o"
        " JOIN order_items i ON i.order_id = o.id WHERE o.user_id = %s",
        (user.id,),
    ).fetchone()  # type: ignore[misc]
    assert (spent, units) == (12_000, 12)
    assert db.execute("SELECT stock FROM products WHERE id = %s", (product,)).fetchone()[0] == 988  # type: ignore[index]


def test_concurrent_checkouts_of_one_cart_create_one_order(
    base_url: str,
    make_user: Callable[..., User],
    make_product: Callable[..., int],
    client: httpx.Client,
) -> None:
    user = make_user(balance_cents=100_000)
    add(client, user, make_product(price_cents=1_000), 2)

    def checkout(_: int) -> int:
        with httpx.Client(base_url=base_url, timeout=30) as http:
            return http.post("/api/orders", headers=user.headers).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(checkout, range(8)))
    assert statuses == [201] + [409] * 7


def test_history_is_newest_first_and_cursor_pages_cover_everything_once(
    client: httpx.Client, dataset_tokens: dict[str, list[tuple[int, str]]], db: psycopg.Connection
) -> None:
    heavy_user, count = db.execute(
        "SELECT user_id, count(*) FROM orders GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
    ).fetchone()  # type: ignore[misc]
    token = dict(dataset_tokens["buyer"] + dataset_tokens["admin"])[heavy_user]
    headers = {"Authorization": f"Bearer {token}"}
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 7} | ({"before": cursor} if cursor else {})
        page = client.get("/api/orders", headers=headers, params=params).json()
        seen += page["orders"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == count == len({o["id"] for o in seen})
    keys = [(o["created_at"], o["id"]) for o in seen]
    assert keys == sorted(keys, reverse=True)
    assert {o["user_id"] for o in seen} == {heavy_user}


def test_an_order_is_visible_to_its_owner_and_admins_only(
    client: httpx.Client, make_user: Callable[..., User], make_product: Callable[..., int]
) -> None:
    owner, stranger, admin = make_user(balance_cents=5_000), make_user(), make_user("admin")
    add(client, owner, make_product(price_cents=100))
    order_id = client.post("/api/orders", headers=owner.headers).json()["id"]
    assert client.get(f"/api/orders/{order_id}", headers=owner.headers).status_code == 200
    assert client.get(f"/api/orders/{order_id}", headers=stranger.headers).status_code == 404
    assert client.get(f"/api/orders/{order_id}", headers=admin.headers).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"before": "yesterday"},
        {"before": "1.2.3"},
        {"before": "9" * 17 + ".1"},
    ],
)
def test_bad_history_parameters_are_422(
    client: httpx.Client, buyer: User, params: dict[str, str | int]
) -> None:
    response = client.get("/api/orders", headers=buyer.headers, params=params)
    assert response.status_code == 422
    assert next(iter(params)) in response.json()["detail"]


def test_unknown_order_is_404(client: httpx.Client, buyer: User) -> None:
    assert client.get("/api/orders/999999999", headers=buyer.headers).status_code == 404
