"""Start-up init: PORTAL_INDEXES decides the index arm; the cleanup job can run inside."""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg

from portal import Settings
from portal.datagen.ddl import schema_sections
from portal.db.index_file import performance_index_names
from tests.conftest import LiveServer, User


def present(db: psycopg.Connection) -> int:
    count: int = db.execute(
        "SELECT count(*) FROM pg_indexes WHERE indexname = ANY(%s)", (performance_index_names(),)
    ).fetchone()[0]  # type: ignore[index]
    return count


def test_portal_indexes_setting_applies_or_drops_the_indexes_at_start(
    settings: Settings, db: psycopg.Connection, live_server: Callable[[Settings], LiveServer]
) -> None:
    try:
        with live_server(settings.model_copy(update={"indexes": "off"})):
            assert present(db) == 0
    finally:
        with live_server(settings.model_copy(update={"indexes": "on"})):
            assert present(db) == len(performance_index_names()) >= 20


def test_the_scheduled_cleanup_runs_inside_the_portal(
    settings: Settings,
    db: psycopg.Connection,
    make_user: Callable[..., User],
    make_product: Callable[..., int],
    live_server: Callable[[Settings], LiveServer],
) -> None:
    # Cut-offs ~55 years back: only the rows planted here (1960) are aged.
    user = make_user()
    db.execute(
        "INSERT INTO cart_items (user_id, product_id, quantity, added_at)"
        " VALUES (%s, %s, 1, '1960-01-01')",
        (user.id, make_product()),
    )
    scheduled = settings.model_copy(
        update={
            "cleanup_interval_s": 0.2,
            "cleanup_cart_days": 20_000,
            "cleanup_audit_days": 20_000,
        }
    )
    with live_server(scheduled):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            left = db.execute("SELECT count(*) FROM cart_items WHERE user_id = %s", (user.id,))
            if left.fetchone()[0] == 0:  # type: ignore[index]
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the scheduled cleanup did not delete the abandoned cart")


def test_a_database_without_a_newer_table_gets_it_at_start(
    settings: Settings, db: psycopg.Connection, live_server: Callable[[Settings], LiveServer]
) -> None:
    """A dataset loaded before ``idempotency_keys`` existed: the portal adds it on start
    (it once checked for ``orders`` only, and keyed top-ups would have failed)."""
    db.execute("DROP TABLE idempotency_keys")
    try:
        with live_server(settings):
            created = db.execute("SELECT to_regclass('public.idempotency_keys') IS NOT NULL")
            assert created.fetchone() == (True,)
    finally:
        db.execute(schema_sections()[0].encode())  # whatever happened, the table is back
