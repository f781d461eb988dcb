"""The caller's wallet: balance, recent ledger entries, top-ups."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.monitoring import operation
from portal.queries import audit
from portal.queries._rows import Row, all_rows, one_row

_WALLET = text("SELECT balance_cents, updated_at FROM wallets WHERE user_id = :user_id")
# Served by idx_wallet_transactions_user_date (user_id, created_at DESC, id DESC);
# public: the index proof explains it.
RECENT_TRANSACTIONS = text(
    """
    SELECT id, amount_cents, kind, order_id, created_at FROM wallet_transactions
    WHERE user_id = :user_id
    ORDER BY created_at DESC, id DESC
    LIMIT :limit
    """
)


@operation("wallet.for_user")
async def wallet_for_user(conn: AsyncConnection, *, user_id: int, recent: int) -> Row:
    """Balance and the ``recent`` newest transactions; a user without a wallet has 0."""
    wallet = one_row(await conn.execute(_WALLET, {"user_id": user_id}))
    transactions = all_rows(
        await conn.execute(RECENT_TRANSACTIONS, {"user_id": user_id, "limit": recent})
    )
    return {
        "balance_cents": wallet["balance_cents"] if wallet else 0,
        "updated_at": wallet["updated_at"] if wallet else None,
        "transactions": transactions,
    }


_CREDIT = text(
    """
    INSERT INTO wallets AS w (user_id, balance_cents, updated_at)
    VALUES (:user_id, :amount, now())
    ON CONFLICT (user_id) DO UPDATE
        SET balance_cents = w.balance_cents + EXCLUDED.balance_cents, updated_at = now()
    RETURNING balance_cents
    """
)
_INSERT_TOP_UP = text(
    """
    INSERT INTO wallet_transactions (user_id, amount_cents, kind, created_at)
    VALUES (:user_id, :amount, 'top_up', now())
    RETURNING id, amount_cents, kind, order_id, created_at
    """
)


@operation("wallet.top_up")
async def top_up(conn: AsyncConnection, *, user_id: int, amount_cents: int) -> Row:
    """Credit the wallet and write the ledger entry, in the caller's transaction."""
    params = {"user_id": user_id, "amount": amount_cents}
    balance = await conn.scalar(_CREDIT, params)
    transaction = one_row(await conn.execute(_INSERT_TOP_UP, params))
    await audit.record(
        conn, user_id=user_id, action="wallet.top_up", detail={"amount_cents": amount_cents}
    )
    return {"balance_cents": balance, "transaction": transaction}


# Served by idx_wallet_transactions_order (partial: order_id IS NOT NULL).
TRANSACTIONS_FOR_ORDER = text(
    """
    SELECT id, user_id, amount_cents, kind, order_id, created_at FROM wallet_transactions
    WHERE order_id = :order_id
    ORDER BY created_at, id
    """
)


@operation("wallet.transactions_for_order")
async def transactions_for_order(conn: AsyncConnection, *, order_id: int) -> list[Row]:
    """The ledger entries of one order (its purchase, any refunds), oldest first."""
    return all_rows(await conn.execute(TRANSACTIONS_FOR_ORDER, {"order_id": order_id}))
