"""What sql/add-performance-indexes.sql declares: each index, its table and the operation it serves.

The SQL file is the single source of index names and of the operation each one
serves (the comment line right above it, ``-- op.name: why``). The index
switch, start-up init and the harness's index proof all read it through here,
so there is one pattern for a CREATE INDEX statement, not one per reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.db.sqlfiles import sql_file

ADD_FILE = "add-performance-indexes.sql"
DROP_FILE = "drop-performance-indexes.sql"

_CREATE_INDEX = r"CREATE\s+INDEX\s+IF\s+NOT\s+EXISTS\s+(?P<name>\w+)"
# A comment block directly above (no blank line) a CREATE INDEX statement.
_INDEX_BLOCK = re.compile(
    r"(?P<comment>(?:^--[^\n]*\n)+)" + _CREATE_INDEX + r"\s+ON\s+(?P<table>\w+)(?P<rest>[^;]*);",
    re.MULTILINE | re.IGNORECASE,
)
_ANY_INDEX = re.compile(_CREATE_INDEX, re.IGNORECASE)
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
    declared = created_index_names(sql)
    parsed = [spec.name for spec in specs]
    if parsed != declared:
        missing = sorted(set(declared) - set(parsed))
        raise ValueError(f"indexes without a comment block directly above them: {missing}")
    return specs


def created_index_names(sql: str) -> list[str]:
    """The names of the indexes ``sql`` creates, in order."""
    return [match["name"] for match in _ANY_INDEX.finditer(sql)]


def index_specs() -> list[IndexSpec]:
    """The indexes of sql/add-performance-indexes.sql, in file order."""
    return parse_index_specs(sql_file(ADD_FILE).read_text())


def performance_index_names() -> list[str]:
    """Names of the indexes in sql/add-performance-indexes.sql, in file order."""
    return created_index_names(sql_file(ADD_FILE).read_text())


def dropped_index_names() -> list[str]:
    """The indexes sql/drop-performance-indexes.sql drops, in file order."""
    return _DROPPED.findall(sql_file(DROP_FILE).read_text())
