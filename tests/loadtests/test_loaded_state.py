"""Between paired units the dataset is put back as loaded: every unit measures the same data.

On a real PostgreSQL holding the tiny dataset, writes of every kind the
personas make (orders with their lines and payments, cart lines added,
changed and removed, balances and stock moved, a wallet opened) are undone
by ``put_back``, row for row, and counted as the growth they were; a write to
a table the declaration does not name is reported, not silently kept.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from loadtests import loaded_state
from loadtests.loaded_state import WRITTEN
from portal.datagen import load_dataset
from portal.devstack import Services, drop_database, ensure_database

DATABASE = "perfproof_test_loaded_state"


@pytest.fixture(scope="module")
def database(stack: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = ensure_database(stack.database_url, DATABASE)
    tokens = tmp_path_factory.mktemp("loaded-state") / "tokens.csv"
    load_dataset(url, scale="tiny", seed=1, force=True, progress=False, tokens_path=tokens)
    yield url
    drop_database(stack.database_url, DATABASE)


def contents(url: str) -> dict[str, tuple[int, str]]:
    """Each declared table's row count and a digest of its rows in key order."""
    with psycopg.connect(url) as conn:
        found: dict[str, tuple[int, str]] = {}
        for written in WRITTEN:
            row = conn.execute(
                f"SELECT count(*), coalesce(md5(string_agg(CAST(t AS text), ',' "
                f"ORDER BY CAST(t AS text))), '') FROM {written.table} AS t"
            ).fetchone()
            assert row is not None
            found[written.table] = (int(row[0]), str(row[1]))
        return found


def write_as_the_personas_do(url: str) -> None:
    with psycopg.connect(url) as conn:
        order = conn.execute(
            "INSERT INTO orders (user_id, status, total_cents, item_count, created_at)"
            " SELECT user_id, status, total_cents, item_count, now() FROM orders LIMIT 7"
            " RETURNING id"
        ).fetchall()
        for (order_id,) in order:
            conn.execute(
                "INSERT INTO order_items (order_id, line_no, product_id, quantity,"
                " unit_price_cents) VALUES (%s, 1, 1, 1, 100)",
                (order_id,),
            )
            conn.execute(
                "INSERT INTO wallet_transactions (user_id, amount_cents, kind, order_id,"
                " created_at) VALUES (1, -100, 'purchase', %s, now())",
                (order_id,),
            )
        conn.execute("UPDATE products SET stock = stock + 3 WHERE id <= 20")
        conn.execute("UPDATE wallets SET balance_cents = balance_cents + 5 WHERE user_id <= 30")
        conn.execute("DELETE FROM cart_items WHERE id IN (SELECT id FROM cart_items LIMIT 9)")
        conn.execute("UPDATE cart_items SET quantity = quantity + 1 WHERE id IN "
                     "(SELECT id FROM cart_items ORDER BY id DESC LIMIT 4)")  # fmt: skip
        conn.execute(
            "INSERT INTO cart_items (user_id, product_id, quantity, added_at)"
            " SELECT 2, g, 1, now() FROM generate_series(900, 911) AS g"
        )
        conn.execute(
            "INSERT INTO audit_log (user_id, action, detail, created_at)"
            " SELECT user_id, action, detail, now() FROM audit_log LIMIT 5"
        )


def test_put_back_undoes_every_kind_of_write_and_counts_the_growth(database: str) -> None:
    state = loaded_state.take(database)
    loaded = contents(database)
    write_as_the_personas_do(database)
    assert contents(database) != loaded

    reset = loaded_state.put_back(database, state, "unit 1")

    assert contents(database) == loaded
    assert reset["rows_added"]["orders"] == 7
    assert reset["rows_added"]["order_items"] == 7
    assert reset["rows_added"]["wallet_transactions"] == 7
    assert reset["rows_added"]["audit_log"] == 5
    assert reset["rows_added"]["cart_items"] == 12 - 9
    assert reset["rows_added"]["products"] == 0  # changed, not grown
    again = loaded_state.put_back(database, state, "unit 1")
    assert set(again["rows_added"].values()) == {0}
    assert len(state.record()["resets"]) == 2
    loaded_state.forget(database)


def test_a_write_outside_the_declaration_is_named(database: str) -> None:
    state = loaded_state.take(database)
    with psycopg.connect(database) as conn:
        conn.execute("UPDATE users SET name = name || '' WHERE id <= 2")
    # PostgreSQL's counters reach the statistics a moment after the commit: look again
    # until they have (the event this waits for), at most a few seconds
    for _ in range(200):
        reset = loaded_state.put_back(database, state, "unit 1")
        if reset["undeclared"]:
            break
    assert reset["undeclared"] == ["users"]
    assert state.record()["undeclared"] == ["users"]
    loaded_state.forget(database)


def test_the_record_lives_in_the_database_and_goes_with_forget(database: str) -> None:
    loaded_state.take(database)
    loaded_state.take(database)  # a stopped run's record is replaced, not refused
    loaded_state.forget(database)
    with psycopg.connect(database) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (loaded_state.SCHEMA,)
        ).fetchone()
    assert row == (0,)
