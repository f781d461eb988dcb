"""Admin order views: everyone's orders by status, daily sales, an order's ledger entries."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import psycopg
import pytest

from tests.conftest import User


def get(client: httpx.Client, user: User, path: str, **params: str | int) -> httpx.Response:
    return client.get(f"/api/admin/orders{path}", headers=user.headers, params=params)


@pytest.mark.parametrize(
    "path", ["", "/daily-sales?since=2026-01-01&until=2026-01-31", "/1/transactions"]
)
def test_buyers_are_refused(client: httpx.Client, buyer: User, path: str) -> None:
    response = client.get(f"/api/admin/orders{path}", headers=buyer.headers)
    assert response.status_code == 403


def test_orders_in_one_status_newest_first_in_keyset_pages(
    client: httpx.Client, admin: User, db: psycopg.Connection
) -> None:
    status = "pending"
    expected = [
        row[0]
        for row in db.execute(
            "SELECT id FROM orders WHERE status = %s ORDER BY created_at DESC, id DESC LIMIT 30",
            (status,),
        )
    ]
    first = get(client, admin, "", status=status, limit=20).json()
    assert first["next_cursor"]
    second = get(client, admin, "", status=status, limit=10, before=first["next_cursor"]).json()
    seen = [o["id"] for o in first["orders"] + second["orders"]]
    assert seen == expected
    assert {o["status"] for o in first["orders"] + second["orders"]} == {status}


def test_without_status_every_order_counts(
    client: httpx.Client, admin: User, db: psycopg.Connection
) -> None:
    newest = db.execute(
        "SELECT id FROM orders ORDER BY created_at DESC, id DESC LIMIT 5"
    ).fetchall()
    page = get(client, admin, "", limit=5).json()
    assert [o["id"] for o in page["orders"]] == [row[0] for row in newest]


@pytest.mark.parametrize(
    "params",
    [{"status": "lost"}, {"limit": 0}, {"limit": 101}, {"before": "yesterday"}],
)
def test_bad_listing_parameters_are_422(
    client: httpx.Client, admin: User, params: dict[str, str | int]
) -> None:
    assert get(client, admin, "", **params).status_code == 422


def test_daily_sales_match_the_orders_table(
    client: httpx.Client, admin: User, db: psycopg.Connection
) -> None:
    last = db.execute(
        "SELECT CAST(max(created_at) AT TIME ZONE 'UTC' AS date) FROM orders"
        " WHERE created_at < '2026-11-01'"
    ).fetchone()[0]  # type: ignore[index]
    since = last - timedelta(days=13)
    report = get(client, admin, "/daily-sales", since=since, until=last).json()
    expected = db.execute(
        "SELECT CAST(created_at AT TIME ZONE 'UTC' AS date), count(*), sum(total_cents)"
        " FROM orders WHERE status <> 'cancelled'"
        " AND created_at >= %s::date AT TIME ZONE 'UTC'"
        " AND created_at < (%s::date + 1) AT TIME ZONE 'UTC' GROUP BY 1 ORDER BY 1",
        (since, last),
    ).fetchall()
    assert report["since"] == since.isoformat() and report["until"] == last.isoformat()
    assert [
        (date.fromisoformat(d["day"]), d["orders"], d["revenue_cents"]) for d in report["days"]
    ] == [(day, count, int(total)) for day, count, total in expected]
    assert report["days"], "the generated data has orders in its last two weeks"


@pytest.mark.parametrize(
    ("since", "until"),
    [("2026-02-01", "2026-01-01"), ("2024-01-01", "2025-06-01"), ("2026-01-01", "soon")],
    ids=["reversed", "too long", "not a date"],
)
def test_bad_sales_ranges_are_422(
    client: httpx.Client, admin: User, since: str, until: str
) -> None:
    assert get(client, admin, "/daily-sales", since=since, until=until).status_code == 422


def test_an_orders_ledger_entries(
    client: httpx.Client, admin: User, db: psycopg.Connection
) -> None:
    order_id = db.execute(
        "SELECT min(order_id) FROM wallet_transactions WHERE kind = 'refund'"
    ).fetchone()[0]  # type: ignore[index]
    body = get(client, admin, f"/{order_id}/transactions").json()
    assert body["order_id"] == order_id
    kinds = [t["kind"] for t in body["transactions"]]
    assert "refund" in kinds and "purchase" in kinds
    assert all(t["order_id"] == order_id for t in body["transactions"])


def test_unknown_order_is_404(client: httpx.Client, admin: User) -> None:
    assert get(client, admin, "/999999999/transactions").status_code == 404
