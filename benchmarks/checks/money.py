"""``money``: many buyers checking out and topping up at once, then the books, in SQL.

With one worker and with several, ``context.money.buyers`` buyers (6) each
run a loop for ``context.money.seconds`` (5 s; ``perfproof checks --check
money --money-buyers 50 --money-seconds 30`` is the sustained run): put one
of a few shared products in the cart (the stock they race for is set low
first, so checkouts run out of it), check out, now and
then top up. A 409 (short stock, too little money) is an answer; a 5xx is a
problem. Afterwards, for those buyers and products:

* every wallet equals the sum of its ledger;
* no balance and no stock is negative;
* every order placed in the phase has items, its line count and a total that
  match them, and exactly one purchase entry of minus its total.

Zero violations is the bar. A violation names the users (or products) involved.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from benchmarks.checks.context import AskedTooMuch, CheckContext, MoneyLoad
from benchmarks.checks.portal_server import ServedPortal, client
from benchmarks.checks.result import Outcome
from portal.datagen.tokens_file import DatasetUser

WORKERS = MoneyLoad().workers
PRODUCTS = 3
# Per product and per 5 s of the phase: its checkouts take more than this (the server's
# throughput bounds them, not the number of buyers), so some run short however long it lasts.
STOCK = 40
STOCK_SECONDS = 5.0
TOP_UP_EVERY = 4  # one iteration in this many tops up

# Each query lists the user (or product) ids that break its rule.
_LEDGER = """
SELECT w.user_id FROM wallets w
LEFT JOIN (SELECT user_id, sum(amount_cents) AS total FROM wallet_transactions
           WHERE user_id = ANY(%(users)s) GROUP BY user_id) t USING (user_id)
WHERE w.user_id = ANY(%(users)s) AND w.balance_cents <> coalesce(t.total, 0)
"""
_NEGATIVE_BALANCE = (
    "SELECT user_id FROM wallets WHERE user_id = ANY(%(users)s) AND balance_cents < 0"
)
_NEGATIVE_STOCK = "SELECT id FROM products WHERE id = ANY(%(products)s) AND stock < 0"
_ORDERS = """
SELECT o.user_id FROM orders o
LEFT JOIN (SELECT order_id, count(*) AS lines, sum(quantity * unit_price_cents) AS total
           FROM order_items GROUP BY order_id) i ON i.order_id = o.id
LEFT JOIN (SELECT order_id, count(*) AS debits, sum(amount_cents) AS debited
           FROM wallet_transactions WHERE kind = 'purchase' GROUP BY order_id) d
       ON d.order_id = o.id
WHERE o.user_id = ANY(%(users)s) AND o.created_at >= %(since)s
  AND (i.lines IS NULL OR i.lines <> o.item_count OR i.total <> o.total_cents
       OR d.debits IS DISTINCT FROM 1 OR d.debited <> -o.total_cents)
"""
INVARIANTS: tuple[tuple[str, str, str], ...] = (
    ("wallet equals its ledger", _LEDGER, "users"),
    ("no negative balance", _NEGATIVE_BALANCE, "users"),
    ("no negative stock", _NEGATIVE_STOCK, "products"),
    ("every order has its items and one matching debit", _ORDERS, "users"),
)


def book_violations(
    conn: psycopg.Connection[Any], users: list[int], products: list[int], since: datetime
) -> dict[str, list[int]]:
    """Each invariant -> the user (or product) ids breaking it, for these users and products."""
    params: dict[str, Any] = {"users": users, "products": products, "since": since}
    return {
        rule: sorted({int(row[0]) for row in conn.execute(sql, params).fetchall()})
        for rule, sql, _ in INVARIANTS
    }


@dataclass
class Phase:
    workers: int
    statuses: Counter[str]
    orders: int
    violations: dict[str, list[int]]
    stock_left: int  # of the products raced for: 0 when the race for the last units happened


def check_money(context: CheckContext) -> Outcome:
    outcome = Outcome(tried="")
    load = context.money
    # The same buyers in every phase: orders are told apart by time, and a small
    # dataset has buyers enough for one crowd, not one per worker count.
    if load.buyers > context.buyers_left():
        raise AskedTooMuch(
            f"the money check wants {load.buyers} buyers and the dataset has "
            f"{context.buyers_left()} left for it: fewer --money-buyers or a larger --scale"
        )
    buyers = [context.buyer() for _ in range(load.buyers)]
    phases = [_phase(context, buyers, workers) for workers in load.workers]
    for phase in phases:
        failed = sum(n for status, n in phase.statuses.items() if status.startswith("5"))
        outcome.expect(failed == 0, f"{phase.workers} worker(s): {failed} requests failed with 5xx")
        outcome.expect(phase.orders > 0, f"{phase.workers} worker(s): no checkout succeeded")
        for rule, ids in phase.violations.items():
            outcome.expect(not ids, f"{phase.workers} worker(s): {rule} broken for {sorted(ids)}")
    outcome.observed = {
        f"workers_{p.workers}": {
            "statuses": dict(p.statuses),
            "orders": p.orders,
            "stock_left": p.stock_left,
            "violations": p.violations,
        }
        for p in phases
    }
    said = "; ".join(
        f"{p.workers} worker(s): {sum(p.statuses.values())} requests, {p.orders} orders, "
        f"{p.stock_left} of {PRODUCTS * stock(load)} units left, "
        f"{sum(len(ids) for ids in p.violations.values())} violations"
        for p in phases
    )
    outcome.tried = (
        f"{load.buyers} buyers at once for {load.seconds:g} s with "
        f"{' and with '.join(str(w) for w in load.workers)} worker(s), racing for "
        f"{PRODUCTS} products of {stock(load)} units each: cart, checkout, top-ups; then the "
        f"ledger, balances, stock and orders in SQL. {said}."
    )
    return outcome


def stock(load: MoneyLoad) -> int:
    """Units per product: scarce for any load, so the race for the last ones happens."""
    return max(STOCK, round(STOCK * load.seconds / STOCK_SECONDS))


def _phase(context: CheckContext, buyers: list[DatasetUser], workers: int) -> Phase:
    products = [context.product_id() for _ in range(PRODUCTS)]
    users = [buyer.user_id for buyer in buyers]
    with psycopg.connect(context.database_url, autocommit=True, connect_timeout=10) as conn:
        units = stock(context.money)
        conn.execute("UPDATE products SET stock = %s WHERE id = ANY(%s)", (units, products))
        conn.execute("DELETE FROM cart_items WHERE user_id = ANY(%s)", (users,))
        since: datetime = conn.execute("SELECT now()").fetchone()[0]  # type: ignore[index]
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    with context.serve(workers=workers) as portal:
        stop = time.monotonic() + context.money.seconds
        threads = [
            threading.Thread(target=_shop, args=(portal, buyer, products, stop, statuses, lock))
            for buyer in buyers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    with psycopg.connect(context.database_url, connect_timeout=10) as conn:
        violations = book_violations(conn, users, products, since)
        params: dict[str, Any] = {"users": users, "since": since}
        orders = conn.execute(
            "SELECT count(*) FROM orders WHERE user_id = ANY(%(users)s) AND created_at >= "
            "%(since)s",
            params,
        ).fetchone()
        left = conn.execute(
            "SELECT coalesce(sum(stock), 0) FROM products WHERE id = ANY(%s)", (products,)
        ).fetchone()
    return Phase(
        workers, statuses, int(orders[0]) if orders else 0, violations, int(left[0]) if left else 0
    )


def _shop(
    portal: ServedPortal,
    buyer: DatasetUser,
    products: list[int],
    stop: float,
    statuses: Counter[str],
    lock: threading.Lock,
) -> None:
    rng = random.Random(buyer.user_id)
    seen: Counter[str] = Counter()
    with client(portal, buyer) as http:
        iteration = 0
        while time.monotonic() < stop:
            iteration += 1
            item = {"product_id": rng.choice(products), "quantity": rng.randint(1, 3)}
            added = http.post("/api/cart/items", json=item)
            checkout = http.post("/api/orders")
            seen.update([str(added.status_code), str(checkout.status_code)])
            if checkout.status_code == 409 and added.status_code == 201:
                # Short stock or money: empty the cart again, so the next try is one item.
                removed = http.delete(f"/api/cart/items/{added.json()['id']}")
                seen[str(removed.status_code)] += 1
            if iteration % TOP_UP_EVERY == 0:
                top_up = http.post("/api/wallet/top-up", json={"amount_cents": 50_000})
                seen[str(top_up.status_code)] += 1
    with lock:
        statuses.update(seen)
