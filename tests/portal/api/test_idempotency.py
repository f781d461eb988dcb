"""Idempotency-Key: a repeated top-up or checkout happens once; the repeat gets the first answer."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from tests.conftest import User

# The two writes that take a key, each with a body that goes through.
KEYED_WRITES = [("/api/wallet/top-up", {"amount_cents": 300}), ("/api/orders", None)]


def _key() -> str:
    return f"test-{uuid.uuid4()}"


def _ledger(db: psycopg.Connection, user: User) -> list[tuple[int, str]]:
    rows = db.execute(
        "SELECT amount_cents, kind FROM wallet_transactions WHERE user_id = %s ORDER BY id",
        (user.id,),
    )
    return [(int(amount), str(kind)) for amount, kind in rows]


def test_a_repeated_top_up_adds_once_and_replays_the_first_answer(
    client: httpx.Client, db: psycopg.Connection, buyer: User
) -> None:
    headers = {**buyer.headers, "Idempotency-Key": _key()}
    before = _ledger(db, buyer)
    first = client.post("/api/wallet/top-up", headers=headers, json={"amount_cents": 700})
    again = client.post("/api/wallet/top-up", headers=headers, json={"amount_cents": 700})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert (
        again.headers["idempotent-replayed"] == "true"
        and "idempotent-replayed" not in first.headers
    )
    assert _ledger(db, buyer) == [*before, (700, "top_up")]


def test_the_same_key_for_another_request_is_a_422(client: httpx.Client, buyer: User) -> None:
    headers = {**buyer.headers, "Idempotency-Key": _key()}
    assert client.post("/api/wallet/top-up", headers=headers, json={"amount_cents": 1}).is_success
    other = client.post("/api/wallet/top-up", headers=headers, json={"amount_cents": 2})
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"


def test_racing_repeats_of_one_top_up_add_once(
    base_url: str, db: psycopg.Connection, buyer: User
) -> None:
    """Eight clients send the same keyed top-up at once: the key's row serialises them."""
    headers = {**buyer.headers, "Idempotency-Key": _key()}
    before = _ledger(db, buyer)

    def send(_: int) -> int:
        with httpx.Client(base_url=base_url, timeout=15) as http:
            return http.post(
                "/api/wallet/top-up", headers=headers, json={"amount_cents": 5}
            ).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(send, range(8)))
    assert statuses == [201] * 8
    assert _ledger(db, buyer) == [*before, (5, "top_up")]


def test_a_repeated_checkout_buys_once_and_a_refused_one_leaves_its_key_unused(
    client: httpx.Client, buyer: User, make_product: Callable[..., int]
) -> None:
    key = {**buyer.headers, "Idempotency-Key": _key()}
    refused = client.post("/api/orders", headers=key)  # the cart is empty: 409, nothing done
    assert refused.status_code == 409, refused.text
    # A product of the test's own: stock and price that earlier tests cannot have used up.
    item = {"product_id": make_product(price_cents=1_000, stock=10), "quantity": 1}
    assert client.post("/api/cart/items", headers=buyer.headers, json=item).status_code == 201
    bought = client.post("/api/orders", headers=key)
    assert bought.status_code == 201, bought.text  # the refused attempt did not use the key up
    assert client.post("/api/cart/items", headers=buyer.headers, json=item).status_code == 201
    again = client.post("/api/orders", headers=key)
    assert again.status_code == 201 and again.json()["id"] == bought.json()["id"]
    cart = client.get("/api/cart", headers=buyer.headers).json()
    assert len(cart["items"]) == 1  # the second cart was not bought


@pytest.mark.parametrize(("path", "body"), KEYED_WRITES)
def test_two_idempotency_keys_are_a_400_that_changes_nothing(
    client: httpx.Client,
    db: psycopg.Connection,
    buyer: User,
    make_product: Callable[..., int],
    path: str,
    body: dict[str, int] | None,
) -> None:
    """Which key the client meant cannot be known: refused, as two Authorization headers are."""
    item = {"product_id": make_product(price_cents=1_000, stock=10), "quantity": 1}
    assert client.post("/api/cart/items", headers=buyer.headers, json=item).status_code == 201
    first, second = _key(), _key()
    before = _ledger(db, buyer)
    for keys in ([first, second], [second, first], [first, first]):
        headers = [*buyer.headers.items(), *(("Idempotency-Key", key) for key in keys)]
        response = client.post(path, headers=headers, json=body)
        assert response.status_code == 400, response.text
        assert response.json()["detail"] == (
            "Send one Idempotency-Key header, not 2: which one is meant is unknown."
        )
    assert _ledger(db, buyer) == before
    # The same request with one key goes through: only the repeated header was refused.
    one = client.post(path, headers={**buyer.headers, "Idempotency-Key": first}, json=body)
    assert one.status_code == 201, one.text
    assert len(_ledger(db, buyer)) == len(before) + 1
