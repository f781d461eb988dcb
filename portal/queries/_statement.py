"""A statement and its parameters: what a query function runs, and what the index proof explains.

Dynamic queries build their SQL from filters; returning it as a value lets the
index proof (benchmarks/indexes/probes.py) EXPLAIN exactly the statement the
portal sends, instead of a hand-written look-alike that could drift.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import TextClause

Statement = tuple[TextClause, dict[str, Any]]
