"""Each performance index joined with the probe that exercises it.

portal/db/index_file.py reads what sql/add-performance-indexes.sql declares
(name, table, the operation served); benchmarks/indexes/probes.py adds how to
exercise that operation on generated data. ``catalog()`` joins the two and
refuses a mismatch, so an index without a probe (or a probe without an index)
fails loudly instead of going unproven.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.indexes.probes import PROBES, Probe
from portal.db.index_file import ADD_FILE, IndexSpec, index_specs


@dataclass(frozen=True)
class CatalogEntry:
    spec: IndexSpec
    probe: Probe


def catalog(names: list[str] | None = None) -> list[CatalogEntry]:
    """Index specs joined with their probes, optionally only ``names`` (in file order).

    Raises ValueError when the SQL file and the probes disagree, or for an
    unknown name in ``names``.
    """
    specs = index_specs()
    declared = {spec.name for spec in specs}
    unproven = sorted(declared - PROBES.keys())
    orphans = sorted(PROBES.keys() - declared)
    if unproven or orphans:
        raise ValueError(
            f"index probes out of step with {ADD_FILE}: "
            f"no probe for {unproven or 'none'}, probe without index {orphans or 'none'}"
        )
    if names is not None:
        unknown = sorted(set(names) - declared)
        if unknown:
            raise ValueError(f"unknown index(es): {', '.join(unknown)}")
        specs = [spec for spec in specs if spec.name in names]
    return [CatalogEntry(spec=spec, probe=PROBES[spec.name]) for spec in specs]
