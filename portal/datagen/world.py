"""The plan of one dataset: per-entity arrays shared by the tables that need them.

Tables are not independent (an order's total is the sum of its lines, a
wallet's balance the sum of its ledger), so each entity is planned once, as
whole-table numpy arrays, and the table generators slice those plans into COPY
chunks. Plans are built on first use, so a test can ask for users alone.
Not thread-safe: during a load only the producer thread touches the world.
"""

from __future__ import annotations

from functools import cached_property

from portal.datagen.activity import AuditPlan, CartPlan, plan_audit, plan_carts
from portal.datagen.catalog import (
    CompanyPlan,
    ProductPlan,
    UserPlan,
    plan_companies,
    plan_products,
    plan_users,
)
from portal.datagen.ledger import LedgerPlan, plan_ledger
from portal.datagen.orders import OrderPlan, plan_orders
from portal.datagen.scales import Scale


class World:
    """Everything generated for ``(scale, seed)``; deterministic, built lazily."""

    def __init__(self, scale: Scale, seed: int) -> None:
        self.scale = scale
        self.seed = seed

    @cached_property
    def companies(self) -> CompanyPlan:
        return plan_companies(self)

    @cached_property
    def users(self) -> UserPlan:
        return plan_users(self)

    @cached_property
    def products(self) -> ProductPlan:
        return plan_products(self)

    @cached_property
    def orders(self) -> OrderPlan:
        return plan_orders(self)

    @cached_property
    def ledger(self) -> LedgerPlan:
        return plan_ledger(self)

    @cached_property
    def carts(self) -> CartPlan:
        return plan_carts(self)

    @cached_property
    def audit(self) -> AuditPlan:
        return plan_audit(self)
