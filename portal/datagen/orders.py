"""Orders and their lines: who orders when, what is in each order, what it costs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from portal.datagen.distributions import (
    ANCHOR_US,
    DAY_US,
    HISTORY_DAYS,
    growing_times,
    pick,
    stream,
)
from portal.datagen.sorting import time_order

if TYPE_CHECKING:
    from portal.datagen.world import World

Array = npt.NDArray[Any]

STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled")
PAID = np.array([False, True, True, True, False])  # by status index
CANCELLED = STATUSES.index("cancelled")

# Status depends on age: fresh orders are pending or paid, old ones delivered.
# Rows: age up to (days); columns: STATUSES.
_STATUS_BY_AGE = (
    (1.0, (0.45, 0.40, 0.05, 0.00, 0.10)),
    (3.0, (0.10, 0.35, 0.45, 0.05, 0.05)),
    (14.0, (0.02, 0.05, 0.35, 0.53, 0.05)),
    (float("inf"), (0.002, 0.003, 0.005, 0.94, 0.05)),
)
_QUANTITIES = np.array([1, 2, 3, 4, 5, 6, 10, 12, 20, 24, 50, 100])
_QUANTITY_WEIGHTS = np.array([30, 18, 10, 7, 8, 4, 9, 4, 4, 2, 2, 2], dtype=np.float64)
MAX_LINES = 20
# Lines are drawn per block of orders with the block's own stream, so an
# order's lines do not depend on how the COPY is chunked.
BLOCK_ORDERS = 65_536


@dataclass
class OrderPlan:
    """Orders in id order (= time order); item counts and totals filled per block."""

    user_id: Array  # int32
    created_at: Array  # int64 us, ascending
    status: Array  # index into STATUSES
    drawn_lines: Array  # int16 lines drawn before duplicates are merged
    item_count: Array = field(init=False)
    total_cents: Array = field(init=False)
    _done: set[int] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self.item_count = np.zeros(len(self.user_id), np.int32)
        self.total_cents = np.zeros(len(self.user_id), np.int64)

    @property
    def blocks(self) -> int:
        return -(-len(self.user_id) // BLOCK_ORDERS)


def plan_orders(world: World) -> OrderPlan:
    """Orders from Zipf-weighted buyers, dated after the buyer joined, growing over time."""
    n = world.scale.orders
    rng = stream(world.seed, "orders")
    users = world.users
    user = pick(rng, users.activity, n)
    created = growing_times(rng, users.created_at[user])
    order, created = time_order(created)
    user = user[order] + 1
    age_days = (ANCHOR_US - created) / DAY_US
    bucket = np.searchsorted([limit for limit, _ in _STATUS_BY_AGE], age_days)
    cdf = np.cumsum([probs for _, probs in _STATUS_BY_AGE], axis=1)
    status = (rng.random(n)[:, None] * cdf[:, -1:][bucket] > cdf[bucket]).sum(axis=1)
    lines = np.minimum(rng.geometric(0.4, n), MAX_LINES).astype(np.int16)
    return OrderPlan(user.astype(np.int32), created, status.astype(np.int8), lines)


@dataclass(frozen=True)
class OrderLines:
    """The lines of one block of orders, ordered by (order_id, line_no)."""

    order_id: Array  # int64
    line_no: Array  # int16, 1-based
    product_id: Array  # int64
    quantity: Array  # int32
    unit_price_cents: Array  # int64


def order_lines(world: World, block: int) -> OrderLines:
    """Lines for orders ``block * BLOCK_ORDERS ...``; records item counts and totals.

    Products follow popularity; a product drawn twice for one order is one
    line. The unit price is the product's price, a little lower the older the
    order (up to -8 % two years back), so history is not a copy of today.
    """
    plan = world.orders
    products = world.products
    rng = stream(world.seed, "order_items", block)
    first = block * BLOCK_ORDERS
    stop = min(first + BLOCK_ORDERS, len(plan.user_id))
    order_index = np.repeat(np.arange(first, stop), plan.drawn_lines[first:stop])
    product = products.line_picker.draw(rng, len(order_index))
    key = order_index * len(products.price_cents) + product
    _, firsts = np.unique(key, return_index=True)
    keep = np.sort(firsts)
    order_index, product = order_index[keep], product[keep]
    counts = np.bincount(order_index - first, minlength=stop - first)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    line_no = np.arange(len(order_index)) - np.repeat(starts, counts) + 1
    quantity = _QUANTITIES[pick(rng, _QUANTITY_WEIGHTS / _QUANTITY_WEIGHTS.sum(), len(keep))]
    age = (ANCHOR_US - plan.created_at[order_index]) / (HISTORY_DAYS * DAY_US)
    unit_price = np.round(products.price_cents[product] * (1.0 - 0.08 * age)).astype(np.int64)
    if block not in plan._done:
        plan.item_count[first:stop] = counts
        plan.total_cents[first:stop] = np.add.reduceat(quantity * unit_price, starts)
        plan._done.add(block)
    return OrderLines(
        order_id=order_index + 1,
        line_no=line_no.astype(np.int16),
        product_id=product + 1,
        quantity=quantity.astype(np.int32),
        unit_price_cents=unit_price,
    )


def complete_totals(world: World) -> OrderPlan:
    """The order plan with every block's item counts and totals computed."""
    plan = world.orders
    for block in range(plan.blocks):
        if block not in plan._done:
            order_lines(world, block)
    return plan
