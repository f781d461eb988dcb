"""The performance indexes as data: name, table, operation, definition, and the probe that uses it.

sql/add-performance-indexes.sql stays the single source of index names and of
the operation each one serves (the comment line right above it, ``-- op.name:
why``); portal/db/index_probes.py adds how to exercise that operation on
generated data. ``catalog()`` joins the two and refuses a mismatch, so an index
without a probe (or a probe without an index) fails loudly instead of going
unproven.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.db.index_probes import PROBES, Probe
from portal.db.sqlfiles import sql_file

ADD_FILE = "add-performance-indexes.sql"
DROP_FILE = "drop-performance-indexes.sql"

# A comment block directly above (no blank line) a CREATE INDEX statement.
_INDEX_BLOCK = re.compile(
    r"(?P<comment>(?:^--[^\n]*\n)+)"
    r"CREATE\s+INDEX\s+IF\s+NOT\s+EXISTS\s+(?P<name>\w+)\s+ON\s+(?P<table>\w+)(?P<rest>[^;]*);",
    re.MULTILINE | re.IGNORECASE,
)
_ANY_INDEX = re.compile(r"CREATE\s+INDEX\s+IF\s+NOT\s+EXISTS\s+(\w+)", re.IGNORECASE)
_OPERATION = re.compile(r"^--\s*(?P<operation>[a-z_]+\.[a-z_]+)\s*:\s*(?P<why>.*)$")
_DROPPED = re.compile(r"DROP\s+INDEX\s+IF\s+EXISTS\s+(\w+)", re.IGNORECASE)


@dataclass(frozen=True)
class IndexSpec:
    """One performance index as the SQL file declares it."""

    name: str
    table: str
    operation: str
    why: str  # the comment block, without the comment markers
    definition: str  # the CREATE INDEX statement on one line


@dataclass(frozen=True)
class CatalogEntry:
    spec: IndexSpec
    probe: Probe


def parse_index_specs(sql: str) -> list[IndexSpec]:
    """Every CREATE INDEX of ``sql`` with the operation named in the comment above it.

    Raises ValueError naming the index whose comment does not start with
    ``-- <resource>.<query>:``.
    """
    specs: list[IndexSpec] = []
    for match in _INDEX_BLOCK.finditer(sql):
        lines = match["comment"].splitlines()
        operation_match = _OPERATION.match(lines[0])
        if operation_match is None:
            raise ValueError(
                f"{match['name']}: the comment above it must start with '-- <resource>.<query>:'"
            )
        why = " ".join([operation_match["why"], *(line.lstrip("-").strip() for line in lines[1:])])
        statement = f"CREATE INDEX IF NOT EXISTS {match['name']} ON {match['table']}{match['rest']}"
        specs.append(
            IndexSpec(
                name=match["name"],
                table=match["table"],
                operation=operation_match["operation"],
                why=why,
                definition=" ".join(statement.split()) + ";",
            )
        )
    declared = _ANY_INDEX.findall(sql)
    parsed = [spec.name for spec in specs]
    if parsed != declared:
        missing = sorted(set(declared) - set(parsed))
        raise ValueError(f"indexes without a comment block directly above them: {missing}")
    return specs


def index_specs() -> list[IndexSpec]:
    """The indexes of sql/add-performance-indexes.sql, in file order."""
    return parse_index_specs(sql_file(ADD_FILE).read_text())


def dropped_index_names() -> list[str]:
    """The indexes sql/drop-performance-indexes.sql drops, in file order."""
    return _DROPPED.findall(sql_file(DROP_FILE).read_text())


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
