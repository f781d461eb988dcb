"""Idempotency-Key: a repeated top-up or checkout happens once; the repeat gets the first answer."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest

from portal import Settings
from portal.db.cleanup import CleanupPolicy, run_cleanup
from portal.db.engine import create_engine
from portal.queries.idempotency import LIFETIME
from tests.conftest import User

# The two writes that take a key, each with a body that goes through.
KEYED_WRITES = [("/api/wallet/top-up", {"amount_cents": 300}), ("/api/orders", None)]


def _key() -> str:
    return f"test-{uuid.uuid4()}"


def _age(db: psycopg.Connection, user: User, key: str, created_at: datetime | timedelta) -> None:
    """Back-date ``user``'s ``key`` to ``created_at``, or by ``created_at`` from now."""
    when = "now() - %s" if isinstance(created_at, timedelta) else "%s"
    aged = db.execute(
        f"UPDATE idempotency_keys SET created_at = {when} WHERE user_id = %s AND key = %s",
        (created_at, user.id, key),
    )
    assert aged.rowcount == 1


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


@pytest.mark.parametrize(
    ("age", "replayed"),
    [(LIFETIME - timedelta(minutes=1), True), (LIFETIME + timedelta(minutes=1), False)],
    ids=["within-its-lifetime", "past-its-lifetime"],
)
def test_a_key_is_replayed_for_its_lifetime_and_is_a_new_request_after_it(
    client: httpx.Client, db: psycopg.Connection, buyer: User, age: timedelta, replayed: bool
) -> None:
    """No cleanup runs here: the claim itself reads an expired key as absent."""
    key = _key()
    headers = {**buyer.headers, "Idempotency-Key": key}
    first = client.post("/api/wallet/top-up", headers=headers, json={"amount_cents": 40})
    assert first.status_code == 201
    before = _ledger(db, buyer)
    _age(db, buyer, key, age)
    again = client.post("/api/wallet/top-up", headers=headers, json={"amount_cents": 40})
    assert again.status_code == 201
    if replayed:
        assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
        assert _ledger(db, buyer) == before
        return
    assert "idempotent-replayed" not in again.headers and again.json() != first.json()
    assert _ledger(db, buyer) == [*before, (40, "top_up")]
    # The new answer replaced the expired one, with a lifetime of its own.
    third = client.post("/api/wallet/top-up", headers=headers, json={"amount_cents": 40})
    assert third.headers["idempotent-replayed"] == "true" and third.json() == again.json()


def test_an_expired_key_is_free_for_another_request(
    client: httpx.Client, db: psycopg.Connection, buyer: User
) -> None:
    """The request it was used for is forgotten with it: not a 422."""
    key = _key()
    headers = {**buyer.headers, "Idempotency-Key": key}
    assert client.post("/api/wallet/top-up", headers=headers, json={"amount_cents": 1}).is_success
    _age(db, buyer, key, LIFETIME + timedelta(minutes=1))
    other = client.post("/api/wallet/top-up", headers=headers, json={"amount_cents": 2})
    assert other.status_code == 201 and "idempotent-replayed" not in other.headers
    assert _ledger(db, buyer)[-2:] == [(1, "top_up"), (2, "top_up")]


def test_a_key_the_cleanup_deleted_is_a_new_request(
    client: httpx.Client, db: psycopg.Connection, settings: Settings, buyer: User
) -> None:
    # The cleanup runs as of a day before any generated row, so only this key is old
    # enough to go (the API tests' dataset stays whole); the key is aged by the same
    # lifetime the claim reads.
    cleanup_now = datetime(2001, 1, 1, tzinfo=UTC)
    key = _key()
    headers = {**buyer.headers, "Idempotency-Key": key}
    first = client.post("/api/wallet/top-up", headers=headers, json={"amount_cents": 30})
    assert first.status_code == 201
    _age(db, buyer, key, cleanup_now - LIFETIME - timedelta(minutes=1))
    before = _ledger(db, buyer)

    async def clean() -> dict[str, int]:
        engine = create_engine(settings)
        try:
            return (await run_cleanup(engine, CleanupPolicy(), now=cleanup_now)).deleted
        finally:
            await engine.dispose()

    assert asyncio.run(clean())["idempotency keys"] == 1
    again = client.post("/api/wallet/top-up", headers=headers, json={"amount_cents": 30})
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert _ledger(db, buyer) == [*before, (30, "top_up")]


def test_racing_repeats_of_an_expired_key_run_once_and_replace_it(
    base_url: str, db: psycopg.Connection, buyer: User
) -> None:
    """The expired row is replaced under its lock: one repeat runs, the others get its answer."""
    key = _key()
    headers = {**buyer.headers, "Idempotency-Key": key}
    with httpx.Client(base_url=base_url, timeout=15) as http:
        first = http.post("/api/wallet/top-up", headers=headers, json={"amount_cents": 6})
    assert first.status_code == 201
    _age(db, buyer, key, LIFETIME + timedelta(minutes=1))
    before = _ledger(db, buyer)

    def send(_: int) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=15) as http:
            return http.post("/api/wallet/top-up", headers=headers, json={"amount_cents": 6})

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    assert [answer.status_code for answer in answers] == [201] * 8
    assert sum("idempotent-replayed" not in answer.headers for answer in answers) == 1
    assert len({answer.content for answer in answers}) == 1 and answers[0].json() != first.json()
    assert _ledger(db, buyer) == [*before, (6, "top_up")]
