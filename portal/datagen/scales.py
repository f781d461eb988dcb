"""The named dataset sizes: data, not code, so a new scale is one more row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Scale:
    """How many rows each generated table gets (derived tables follow from these).

    ``wallet_transactions`` is a target: purchases and refunds follow from the
    orders, top-ups fill the rest, and every user's opening top-up counts too.
    ``order_items``, ``wallets``, ``api_tokens`` and ``cart_items`` are derived
    (about 2.5 lines per order, one wallet and one token per user, carts for
    about 30 % of the buyers).
    """

    name: str
    regions: int
    companies: int
    users: int
    products: int
    orders: int
    wallet_transactions: int
    audit_log: int


_SCALES = (
    Scale("tiny", regions=12, companies=20, users=200, products=1_000, orders=5_000,
          wallet_transactions=15_000, audit_log=2_000),
    Scale("small", regions=12, companies=200, users=2_000, products=10_000, orders=100_000,
          wallet_transactions=300_000, audit_log=30_000),
    Scale("medium", regions=24, companies=2_000, users=20_000, products=100_000,
          orders=1_000_000, wallet_transactions=3_000_000, audit_log=300_000),
    Scale("large", regions=24, companies=20_000, users=200_000, products=1_000_000,
          orders=10_000_000, wallet_transactions=30_000_000, audit_log=3_000_000),
)  # fmt: skip

SCALES: Mapping[str, Scale] = MappingProxyType({scale.name: scale for scale in _SCALES})


def database_for(scale: str) -> str:
    """The database a scale's dataset lives in on a shared server: one per scale, so the
    harness's commands reuse each other's data instead of regenerating it."""
    return f"perfproof_{scale}"
