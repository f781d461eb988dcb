"""money: the real portal keeps the books under concurrent checkouts; the rules catch what breaks.

The rules are checked on synthetic rows with a known answer (written in a
transaction that is rolled back): a wallet off its ledger by 100 cents, an
order without items or debit, each found and named by user.
"""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg

from benchmarks.checks import CheckResult
from benchmarks.checks.money import INVARIANTS, PRODUCTS, STOCK, WORKERS


def test_the_real_portal_keeps_the_books_with_one_and_with_two_workers(
    real_portal: dict[str, CheckResult],
) -> None:
    result = real_portal["money"]
    assert result.passed, result
    for workers in WORKERS:
        phase = result.observed[f"workers_{workers}"]
        assert phase["orders"] > 0
        assert phase["statuses"].get("409", 0) > 0  # they really ran short: the race happened
        assert 0 <= phase["stock_left"] < PRODUCTS * STOCK  # and bought what there was
        assert all(ids == [] for ids in phase["violations"].values())


def test_each_rule_names_the_users_whose_books_are_wrong(checks_database: str) -> None:
    with psycopg.connect(checks_database) as conn:  # rolled back when the block ends
        since = datetime.now(UTC)
        off, orderless = (
            conn.execute(
                "INSERT INTO users (company_id, email, name, role, created_at) VALUES "
                "(1, %s, 'Books test', 'buyer', now()) RETURNING id",
                (f"books-{n}-{since.timestamp()}@example.test",),
            ).fetchone()[0]  # type: ignore[index]
            for n in range(2)
        )
        for user in (off, orderless):
            conn.execute(
                "INSERT INTO wallets (user_id, balance_cents, updated_at) VALUES (%s, 500, now())",
                (user,),
            )
            conn.execute(
                "INSERT INTO wallet_transactions (user_id, amount_cents, kind, created_at) "
                "VALUES (%s, %s, 'top_up', now())",
                (user, 400 if user == off else 500),
            )
        conn.execute(
            "INSERT INTO orders (user_id, status, total_cents, item_count, created_at) "
            "VALUES (%s, 'paid', 300, 1, now())",
            (orderless,),
        )
        params = {"users": [off, orderless], "products": [], "since": since}
        found = {rule: {row[0] for row in conn.execute(sql, params)} for rule, sql, _ in INVARIANTS}
        conn.rollback()
    assert found == {
        "wallet equals its ledger": {off},
        "no negative balance": set(),
        "no negative stock": set(),
        "every order has its items and one matching debit": {orderless},
    }
