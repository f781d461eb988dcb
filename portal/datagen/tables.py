"""One generator per table: the COPY column list and the rows as column-array chunks.

Generators slice the world's plans (see world.py), so a chunk is a view plus
whatever per-row strings the table needs; chunk size changes nothing in the
content. The list order is the generation order: order_items before orders
(an order's total is the sum of its lines), then wallets, whose plan (the
ledger) needs every order total and takes longest to build: meanwhile the
main connection still works through its order-line backlog, and the second
connection gets wallet_transactions as early as possible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from portal.auth.tokens import dataset_token, hash_token
from portal.datagen.activity import AUDIT_ACTIONS, DETAILS
from portal.datagen.catalog import (
    CATEGORIES,
    company_names,
    product_names,
    region_rows,
    user_names,
)
from portal.datagen.encoding import ColumnValues, Masked, PgType, Texts
from portal.datagen.ledger import KINDS
from portal.datagen.orders import STATUSES, complete_totals, order_lines
from portal.datagen.world import World

CHUNK_ROWS = 200_000

Chunk = list[ColumnValues]


@dataclass(frozen=True)
class Table:
    """A table as the loader sees it: columns to COPY, how many rows, the chunks."""

    name: str
    columns: tuple[tuple[str, PgType], ...]
    expected_rows: Callable[[World], int]  # for progress; order lines merge duplicates
    chunks: Callable[[World], Iterator[Chunk]]
    identity: str | None = None  # the identity column whose sequence is advanced

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    @property
    def types(self) -> list[PgType]:
        return [pg_type for _, pg_type in self.columns]


def _slices(n: int) -> Iterator[slice]:
    for start in range(0, n, CHUNK_ROWS):
        yield slice(start, min(start + CHUNK_ROWS, n))


def _ids(s: slice) -> npt.NDArray[np.int64]:
    return np.arange(s.start + 1, s.stop + 1, dtype=np.int64)


def _regions(world: World) -> Iterator[Chunk]:
    codes, names = region_rows(world)
    yield [_ids(slice(0, len(codes))), Texts.from_strings(codes), Texts.from_strings(names)]


def _companies(world: World) -> Iterator[Chunk]:
    plan = world.companies
    for s in _slices(world.scale.companies):
        ids = _ids(s)
        names = Texts.from_strings(company_names(plan, ids))
        yield [ids, plan.region_id[s], names, plan.created_at[s]]


def _users(world: World) -> Iterator[Chunk]:
    plan = world.users
    for s in _slices(world.scale.users):
        ids = _ids(s)
        emails, names = user_names(plan, ids)
        role = Texts.from_vocabulary(plan.is_admin[s].astype(np.int8), ("buyer", "admin"))
        yield [
            ids,
            plan.company_id[s],
            Texts.from_strings(emails),
            Texts.from_strings(names),
            role,
            plan.created_at[s],
        ]


def _api_tokens(world: World) -> Iterator[Chunk]:
    plan = world.users
    for s in _slices(world.scale.users):
        ids = _ids(s)
        digests = [hash_token(dataset_token(world.seed, i)) for i in ids.tolist()]
        yield [Texts.from_strings(digests), ids, plan.created_at[s]]


def _products(world: World) -> Iterator[Chunk]:
    plan = world.products
    categories = [name for name, _ in CATEGORIES]
    for s in _slices(world.scale.products):
        ids = _ids(s)
        skus, names = product_names(plan, ids)
        yield [
            ids,
            plan.region_id[s],
            Texts.from_vocabulary(plan.category[s], categories),
            Texts.from_strings(skus),
            Texts.from_strings(names),
            plan.price_cents[s],
            plan.stock[s],
            plan.active[s],
            plan.updated_at[s],
        ]


def _order_items(world: World) -> Iterator[Chunk]:
    for block in range(world.orders.blocks):
        lines = order_lines(world, block)
        yield [lines.order_id, lines.line_no, lines.product_id, lines.quantity,
               lines.unit_price_cents]  # fmt: skip


def _orders(world: World) -> Iterator[Chunk]:
    plan = complete_totals(world)
    for s in _slices(world.scale.orders):
        status = Texts.from_vocabulary(plan.status[s], STATUSES)
        yield [_ids(s), plan.user_id[s], status, plan.total_cents[s], plan.item_count[s],
               plan.created_at[s]]  # fmt: skip


def _wallet_transactions(world: World) -> Iterator[Chunk]:
    plan = world.ledger
    for s in _slices(len(plan.user_id)):
        order_id = plan.order_id[s]
        yield [
            _ids(s),
            plan.user_id[s],
            plan.amount_cents[s],
            Texts.from_vocabulary(plan.kind[s], KINDS),
            Masked(order_id, order_id == 0),
            plan.created_at[s],
        ]


def _wallets(world: World) -> Iterator[Chunk]:
    plan = world.ledger
    for s in _slices(world.scale.users):
        yield [_ids(s).astype(np.int32), plan.balance_cents[s], plan.wallet_updated_at[s]]


def _cart_items(world: World) -> Iterator[Chunk]:
    plan = world.carts
    for s in _slices(len(plan.user_id)):
        yield [_ids(s), plan.user_id[s], plan.product_id[s], plan.quantity[s], plan.added_at[s]]


def _audit_log(world: World) -> Iterator[Chunk]:
    plan = world.audit
    actions = [name for name, _, _ in AUDIT_ACTIONS]
    for s in _slices(world.scale.audit_log):
        user_id = plan.user_id[s]
        yield [
            _ids(s),
            Masked(user_id, user_id == 0),
            Texts.from_vocabulary(plan.action[s], actions),
            Texts.from_vocabulary(plan.detail[s], DETAILS),
            plan.created_at[s],
        ]


TABLES: tuple[Table, ...] = (
    Table("regions", (("id", "int4"), ("code", "text"), ("name", "text")),
          lambda w: w.scale.regions, _regions),
    Table("companies", (("id", "int4"), ("region_id", "int4"), ("name", "text"),
                        ("created_at", "timestamptz")),
          lambda w: w.scale.companies, _companies),
    Table("users", (("id", "int4"), ("company_id", "int4"), ("email", "text"), ("name", "text"),
                    ("role", "text"), ("created_at", "timestamptz")),
          lambda w: w.scale.users, _users, identity="id"),
    Table("api_tokens", (("token_hash", "bytea"), ("user_id", "int4"),
                         ("created_at", "timestamptz")),
          lambda w: w.scale.users, _api_tokens),
    Table("products", (("id", "int8"), ("region_id", "int4"), ("category", "text"),
                       ("sku", "text"), ("name", "text"), ("price_cents", "int8"),
                       ("stock", "int4"), ("active", "bool"), ("updated_at", "timestamptz")),
          lambda w: w.scale.products, _products, identity="id"),
    Table("order_items", (("order_id", "int8"), ("line_no", "int2"), ("product_id", "int8"),
                          ("quantity", "int4"), ("unit_price_cents", "int8")),
          lambda w: int(w.orders.drawn_lines.sum()), _order_items),
    Table("wallets", (("user_id", "int4"), ("balance_cents", "int8"),
                      ("updated_at", "timestamptz")),
          lambda w: w.scale.users, _wallets),
    Table("orders", (("id", "int8"), ("user_id", "int4"), ("status", "text"),
                     ("total_cents", "int8"), ("item_count", "int4"),
                     ("created_at", "timestamptz")),
          lambda w: w.scale.orders, _orders, identity="id"),
    Table("wallet_transactions", (("id", "int8"), ("user_id", "int4"), ("amount_cents", "int8"),
                                  ("kind", "text"), ("order_id", "int8"),
                                  ("created_at", "timestamptz")),
          lambda w: len(w.ledger.user_id), _wallet_transactions, identity="id"),
    Table("cart_items", (("id", "int8"), ("user_id", "int4"), ("product_id", "int8"),
                         ("quantity", "int4"), ("added_at", "timestamptz")),
          lambda w: len(w.carts.user_id), _cart_items, identity="id"),
    Table("audit_log", (("id", "int8"), ("user_id", "int4"), ("action", "text"),
                        ("detail", "jsonb"), ("created_at", "timestamptz")),
          lambda w: w.scale.audit_log, _audit_log, identity="id"),
)  # fmt: skip
