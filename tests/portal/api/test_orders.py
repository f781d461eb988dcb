"""Orders: history with keyset pages, ownership, and checkout's guarantees."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

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


def test_concurrent_checkouts_never_overdraw_the_wallet(
    base_url: str,
    make_user: Callable[..., User],
    make_product: Callable[..., int],
    db: psycopg.Connection,
) -> None:
    # Money for exactly 3 units; 12 clients each add one unit and check out at
    # once. Whatever interleaving happens, the wallet must stay >= 0, equal its
    # ledger, and pay for exactly what was ordered.
    user = make_user(balance_cents=3_000)
    product = make_product(price_cents=1_000, stock=1_000)

    def shop(_: int) -> int:
        with httpx.Client(base_url=base_url, timeout=30) as http:
            http.post(
                "/api/cart/items", headers=user.headers, json={"product_id": product, "quantity": 1}
            )
            return http.post("/api/orders", headers=user.headers).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(shop, range(12)))
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    wallet, ledger = balance(db, user)
    assert wallet >= 0 and wallet == ledger
    spent = db.execute(
        "SELECT coalesce(sum(total_cents), 0) FROM orders WHERE user_id = %s", (user.id,)
    ).fetchone()[0]  # type: ignore[index]
    assert spent == 3_000 - wallet
    assert (
        db.execute("SELECT stock FROM products WHERE id = %s", (product,)).fetchone()[0]
        == 1_000 - spent // 1_000
    )  # type: ignore[index]


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
    seen: list[dict] = []
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
def test_bad_history_parameters_are_422(client: httpx.Client, buyer: User, params: dict) -> None:
    response = client.get("/api/orders", headers=buyer.headers, params=params)
    assert response.status_code == 422
    assert next(iter(params)) in response.json()["detail"]


def test_unknown_order_is_404(client: httpx.Client, buyer: User) -> None:
    assert client.get("/api/orders/999999999", headers=buyer.headers).status_code == 404
