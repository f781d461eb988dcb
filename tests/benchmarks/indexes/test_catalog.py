"""The index proof's probes and the SQL file agree: one probe per index, no probe without one."""

from __future__ import annotations

import pytest

from benchmarks.indexes.catalog import catalog
from benchmarks.indexes.probes import PROBES
from portal.db.index_file import index_specs


def test_every_index_has_a_probe_and_every_probe_an_index() -> None:
    assert [entry.spec.name for entry in catalog()] == [spec.name for spec in index_specs()]
    assert set(PROBES) == {spec.name for spec in index_specs()}


def test_catalog_subset_keeps_file_order_and_rejects_unknown_names() -> None:
    names = ["idx_cart_items_user", "idx_orders_user_date"]
    assert [entry.spec.name for entry in catalog(names)] == [
        "idx_orders_user_date",
        "idx_cart_items_user",
    ]
    with pytest.raises(ValueError, match="unknown index"):
        catalog(["idx_nope"])
