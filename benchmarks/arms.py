"""The arms the benchmark suites compare, as declared data read by the suites and the runner."""

from __future__ import annotations

from portal.db.indexes import IndexState

# The index arms run interleaved in blocks, (indexes, block): on, off, off, on.
# A linear drift over the run (a neighbour on a shared machine, caches warming
# up) then costs both arms the same, and the order needs one switch fewer
# than on, off, on, off. Finer interleaving would cost an index rebuild and
# ANALYZE per switch (about a second at scale small, far more at medium).
INDEX_BLOCKS: tuple[tuple[IndexState, int], ...] = (("on", 1), ("off", 1), ("off", 2), ("on", 2))
INDEX_ARM_LABEL: dict[IndexState, str] = {"on": "indexed", "off": "unindexed"}
