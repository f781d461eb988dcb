"""Deleting aged data in bounded batches (the cleanup job calls these in a loop).

Each call deletes at most ``batch`` rows in the caller's transaction and
returns how many it deleted; the job commits between calls, so no lock is held
for long and a stop loses at most one batch of work. The rows to delete are
chosen through an index on their age, oldest first, then deleted by primary
key: the cost of a batch does not grow with the size of the table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.monitoring import operation

# A cart is abandoned when its newest line is older than the cut-off: the
# candidates come from idx_cart_items_added_at, the "nothing newer in this
# cart" check from idx_cart_items_user.
ABANDONED_CART_ITEMS = text(
    """
    DELETE FROM cart_items
    WHERE id = ANY(ARRAY(
        SELECT c.id FROM cart_items c
        WHERE c.added_at < :older_than
          AND NOT EXISTS (
              SELECT 1 FROM cart_items n
              WHERE n.user_id = c.user_id AND n.added_at >= :older_than)
        ORDER BY c.added_at
        LIMIT :batch))
    """
)

# Served by idx_audit_log_created_at.
OLD_AUDIT_ROWS = text(
    """
    DELETE FROM audit_log
    WHERE id = ANY(ARRAY(
        SELECT id FROM audit_log
        WHERE created_at < :older_than
        ORDER BY created_at
        LIMIT :batch))
    """
)

# The table holds about idempotency.LIFETIME (a day) of keys, so its own
# primary key is all it needs: the scan for old ones reads a day's rows at most.
OLD_IDEMPOTENCY_KEYS = text(
    """
    DELETE FROM idempotency_keys
    WHERE (user_id, key) IN (
        SELECT user_id, key FROM idempotency_keys
        WHERE created_at < :older_than
        ORDER BY created_at
        LIMIT :batch)
    """
)


@operation("cleanup.abandoned_cart_items")
async def delete_abandoned_cart_items(
    conn: AsyncConnection, *, older_than: datetime, batch: int
) -> int:
    """Delete up to ``batch`` lines of carts untouched since ``older_than``."""
    result = await conn.execute(ABANDONED_CART_ITEMS, {"older_than": older_than, "batch": batch})
    return result.rowcount


@operation("cleanup.old_audit_rows")
async def delete_old_audit_rows(conn: AsyncConnection, *, older_than: datetime, batch: int) -> int:
    """Delete up to ``batch`` audit rows written before ``older_than``, oldest first."""
    result = await conn.execute(OLD_AUDIT_ROWS, {"older_than": older_than, "batch": batch})
    return result.rowcount


@operation("cleanup.old_idempotency_keys")
async def delete_old_idempotency_keys(
    conn: AsyncConnection, *, older_than: datetime, batch: int
) -> int:
    """Delete up to ``batch`` idempotency keys stored before ``older_than``, oldest first."""
    result = await conn.execute(OLD_IDEMPOTENCY_KEYS, {"older_than": older_than, "batch": batch})
    return result.rowcount
