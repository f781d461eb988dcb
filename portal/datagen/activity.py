"""What users leave behind besides orders: carts, and the audit log that ages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from portal.datagen.distributions import (
    ANCHOR_US,
    DAY_US,
    MINUTE_US,
    growing_times,
    pick,
    stream,
    uniform_times,
)
from portal.datagen.sorting import time_order

if TYPE_CHECKING:
    from portal.datagen.world import World

Array = npt.NDArray[Any]

CART_SHARE = 0.30
CART_DAYS = 60
MAX_CART_ITEMS = 5

# (action, weight, detail variants). Actions the portal itself writes
# (order.checkout, wallet.top_up) keep its names.
AUDIT_ACTIONS: tuple[tuple[str, float, tuple[dict[str, Any] | None, ...]], ...] = (
    ("auth.login", 0.38, ({"via": "api"}, {"via": "web"}, {"via": "sso"})),
    ("auth.logout", 0.10, (None,)),
    ("order.checkout", 0.20, ({"channel": "api"}, {"channel": "web"})),
    ("cart.add", 0.15, ({"source": "search"}, {"source": "catalog"}, {"source": "reorder"})),
    ("wallet.top_up", 0.08, ({"method": "card"}, {"method": "sepa"}, {"method": "invoice"})),
    ("token.create", 0.02, ({"scope": "api"},)),
    ("product.update", 0.05, ({"field": "price"}, {"field": "stock"}, {"field": "active"})),
    ("system.cleanup", 0.02, ({"job": "carts"}, {"job": "sessions"})),
)
# Detail vocabulary: every (action, variant) as one JSON string; NULL for None.
DETAILS = tuple(
    json.dumps(variant) if variant is not None else None
    for _, _, variants in AUDIT_ACTIONS
    for variant in variants
)
_SYSTEM = len(AUDIT_ACTIONS) - 1


@dataclass(frozen=True)
class CartPlan:
    """Cart rows in id order (= time added)."""

    user_id: Array  # int32
    product_id: Array  # int64
    quantity: Array  # int32
    added_at: Array  # int64 us, ascending


def plan_carts(world: World) -> CartPlan:
    """Carts for ~30 % of buyers (always the first buyer), 1-5 distinct active products.

    Items were added over the last 60 days, so a cleanup of carts untouched for
    30 days finds about half of them abandoned.
    """
    rng = stream(world.seed, "cart_items")
    users = world.users
    buyers = np.flatnonzero(~users.is_admin)
    chosen = buyers[rng.random(len(buyers)) < CART_SHARE]
    chosen = np.union1d(chosen, [users.first_buyer - 1])
    user = np.repeat(chosen, rng.integers(1, MAX_CART_ITEMS + 1, len(chosen)))
    product = world.products.cart_picker.draw(rng, len(user))
    _, firsts = np.unique(user * len(world.products.price_cents) + product, return_index=True)
    keep = np.sort(firsts)
    user, product = user[keep], product[keep]
    quantity = np.minimum(rng.geometric(0.45, len(user)), 20)
    added = uniform_times(rng, np.full(len(user), ANCHOR_US - CART_DAYS * DAY_US), ANCHOR_US)
    added = np.maximum(added, users.created_at[user] + MINUTE_US)
    order, added = time_order(added)
    return CartPlan(
        user_id=(user[order] + 1).astype(np.int32),
        product_id=product[order] + 1,
        quantity=quantity[order].astype(np.int32),
        added_at=added,
    )


@dataclass(frozen=True)
class AuditPlan:
    """Audit rows in id order (= time order)."""

    user_id: Array  # int32, 0 for system entries (NULL)
    action: Array  # index into AUDIT_ACTIONS
    detail: Array  # index into DETAILS
    created_at: Array  # int64 us, ascending


def plan_audit(world: World) -> AuditPlan:
    """Entries over two years (growing like orders) by active users; system ones anonymous."""
    n = world.scale.audit_log
    rng = stream(world.seed, "audit_log")
    users = world.users
    weights = np.array([weight for _, weight, _ in AUDIT_ACTIONS])
    action = pick(rng, weights / weights.sum(), n)
    # Admins act too (product updates, tokens): give them a buyer's median weight.
    activity = np.where(users.is_admin, np.median(users.activity), users.activity)
    user = pick(rng, activity / activity.sum(), n)
    system = action == _SYSTEM
    variants = np.array([len(v) for _, _, v in AUDIT_ACTIONS])
    first_variant = np.concatenate(([0], np.cumsum(variants)[:-1]))
    detail = first_variant[action] + (rng.random(n) * variants[action]).astype(np.int64)
    bound = np.where(system, 0, users.created_at[user])
    created = growing_times(rng, bound)
    order, created = time_order(created)
    return AuditPlan(
        user_id=np.where(system, 0, user + 1)[order].astype(np.int32),
        action=action[order],
        detail=detail[order],
        created_at=created,
    )
