"""Stale cache entries after a fault: buyers whose wallet or cart the portal answers wrongly.

A sample of buyers is asked for through the portal (cached answers included)
and compared with the database: an entry the fault left behind that answers
differently from the database is stale.
"""

from __future__ import annotations

import httpx
import psycopg

from loadtests import load_data

STALE_SAMPLE = 40  # buyers whose wallet and cart are compared with the database afterwards


def stale_answers(url: str, database_url: str, data: load_data.LoadData) -> list[str]:
    """Buyers whose wallet or cart, as the portal answers it, differs from the database."""
    buyers = data.buyers()[:STALE_SAMPLE]
    stale = []
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        balances: dict[int, int] = dict(
            conn.execute(
                "SELECT user_id, balance_cents FROM wallets WHERE user_id = ANY(%s)",
                ([b.user_id for b in buyers],),
            ).fetchall()
        )
        lines: dict[int, set[int]] = {}
        for user_id, item_id in conn.execute(
            "SELECT user_id, id FROM cart_items WHERE user_id = ANY(%s)",
            ([b.user_id for b in buyers],),
        ):
            lines.setdefault(int(user_id), set()).add(int(item_id))
    with httpx.Client(base_url=url, timeout=10) as http:
        for buyer in buyers:
            headers = {"Authorization": f"Bearer {buyer.token}"}
            wallet = http.get("/api/wallet", headers=headers)
            cart = http.get("/api/cart", headers=headers)
            if wallet.status_code != 200 or cart.status_code != 200:
                stale.append(f"user {buyer.user_id}: {wallet.status_code}/{cart.status_code}")
                continue
            said = wallet.json()["balance_cents"]
            if said != balances.get(buyer.user_id):
                stale.append(
                    f"user {buyer.user_id}: wallet {said} ({wallet.headers.get('x-cache')}), "
                    f"database {balances.get(buyer.user_id)}"
                )
            items = {int(item["id"]) for item in cart.json()["items"]}
            if items != lines.get(buyer.user_id, set()):
                stale.append(f"user {buyer.user_id}: cart lines differ from the database")
    return stale
