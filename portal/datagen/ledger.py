"""Wallets and their ledger: purchases, refunds and top-ups that never overdraw.

The balance row must equal the ledger sum and can never go negative, so the
ledger is planned whole: each user's events are replayed in time order and
the opening top-up (the first event of every user) is sized to cover the
deepest dip, then the balance is the sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from portal.datagen.distributions import (
    ANCHOR_US,
    DAY_US,
    HOUR_US,
    SECOND_US,
    pick,
    stream,
    uniform_times,
    whole_ms,
)
from portal.datagen.orders import CANCELLED, PAID, complete_totals
from portal.datagen.sorting import stable_argsort, time_order

if TYPE_CHECKING:
    from portal.datagen.world import World

Array = npt.NDArray[Any]

KINDS = ("top_up", "purchase", "refund")
TOP_UP, PURCHASE, REFUND = range(3)
# A cancelled order was paid first (then refunded) this often.
PAID_BEFORE_CANCEL = 0.5
_TOP_UP_STEP = 1_000  # top-ups are whole tens of currency units


@dataclass(frozen=True)
class LedgerPlan:
    """Ledger rows in id order (= time order) and the per-user wallet rows."""

    user_id: Array  # int32
    amount_cents: Array  # int64, purchases negative
    kind: Array  # index into KINDS
    order_id: Array  # int64, 0 where the row has no order
    created_at: Array  # int64 us, ascending
    balance_cents: Array  # per user (index user_id - 1)
    wallet_updated_at: Array  # per user: time of the last ledger row


def plan_ledger(world: World) -> LedgerPlan:
    """Purchases for paid orders, refunds for paid-then-cancelled ones, top-ups for the rest."""
    rng = stream(world.seed, "wallet_transactions")
    orders = complete_totals(world)
    users = world.users
    n_users = len(users.created_at)

    status = orders.status.astype(np.int64)
    cancelled = status == CANCELLED
    refunded = cancelled & (rng.random(len(status)) < PAID_BEFORE_CANCEL)
    paid = PAID[status] | refunded
    paid_ids = np.flatnonzero(paid)
    pay_delay = SECOND_US + (rng.random(len(paid_ids)) * 900 * SECOND_US).astype(np.int64)
    purchase_at = whole_ms(
        np.minimum(orders.created_at[paid_ids] + pay_delay, ANCHOR_US - 2 * SECOND_US)
    )
    refund_ids = np.flatnonzero(refunded)
    refund_delay = (HOUR_US + rng.random(len(refund_ids)) * 5 * DAY_US).astype(np.int64)
    refund_at = whole_ms(
        np.minimum(
            purchase_at[np.searchsorted(paid_ids, refund_ids)] + refund_delay,
            ANCHOR_US - SECOND_US,
        )
    )

    # Top-ups beyond the opening one go to users in proportion to their orders.
    orders_per_user = np.bincount(orders.user_id - 1, minlength=n_users)
    extra = max(0, world.scale.wallet_transactions - n_users - len(paid_ids) - len(refund_ids))
    top_up_user = pick(rng, (orders_per_user + 0.2) / (orders_per_user + 0.2).sum(), extra)
    start = users.created_at[top_up_user] + 60 * SECOND_US
    top_up_at = uniform_times(rng, start, ANCHOR_US)
    spend = np.bincount(
        orders.user_id[paid_ids] - 1, weights=orders.total_cents[paid_ids], minlength=n_users
    )
    per_top_up = spend / np.maximum(np.bincount(top_up_user, minlength=n_users), 1)
    typical = np.where(spend > 0, per_top_up, rng.uniform(5_000, 50_000, n_users))
    top_up = _round_up(typical[top_up_user] * rng.uniform(0.5, 1.5, extra))

    user = np.concatenate(
        [
            np.arange(n_users),  # the opening top-up, sized below
            orders.user_id[paid_ids] - 1,
            orders.user_id[refund_ids] - 1,
            top_up_user,
        ]
    )
    amount = np.concatenate(
        [
            np.zeros(n_users, np.int64),
            -orders.total_cents[paid_ids],
            orders.total_cents[refund_ids],
            top_up,
        ]
    )
    kind = np.concatenate(
        [
            np.full(n_users, TOP_UP),
            np.full(len(paid_ids), PURCHASE),
            np.full(len(refund_ids), REFUND),
            np.full(extra, TOP_UP),
        ]
    ).astype(np.int8)
    order_id = np.concatenate(
        [np.zeros(n_users, np.int64), paid_ids + 1, refund_ids + 1, np.zeros(extra, np.int64)]
    )
    created = np.concatenate([users.created_at + 30 * SECOND_US, purchase_at, refund_at, top_up_at])

    # Every gather below is a cache miss per row at large scale: as few as possible.
    by_time, created = time_order(created)
    user, amount, kind = user[by_time], amount[by_time], kind[by_time]
    order_id = order_id[by_time]

    # Replay per user in time order; the opening row is each user's first.
    by_user = stable_argsort(user)
    counts = np.bincount(user, minlength=n_users)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    user_amount = amount[by_user]
    running = np.cumsum(user_amount)
    running -= np.repeat(running[starts] - user_amount[starts], counts)
    deepest = np.minimum.reduceat(running, starts)
    opening = _round_up(np.maximum(-deepest, 0) + rng.uniform(0, 20_000, n_users))
    amount[by_user[starts]] = opening
    user_amount[starts] = opening
    balance = np.add.reduceat(user_amount, starts)
    last = created[by_user[starts + counts - 1]]
    return LedgerPlan(
        user_id=(user + 1).astype(np.int32),
        amount_cents=amount,
        kind=kind,
        order_id=order_id,
        created_at=created,
        balance_cents=balance,
        wallet_updated_at=last,
    )


def _round_up(cents: Array) -> npt.NDArray[np.int64]:
    """Round amounts up to whole top-up steps (at least one step)."""
    steps = np.maximum(np.ceil(np.asarray(cents, dtype=np.float64) / _TOP_UP_STEP), 1)
    return (steps * _TOP_UP_STEP).astype(np.int64)
