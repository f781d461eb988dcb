"""Where the plain-SQL files of ``sql/`` are, in a checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

_CANDIDATES = (
    Path(__file__).resolve().parents[2] / "sql",  # a checkout / editable install
    Path(__file__).resolve().parents[1] / "_sql",  # a wheel (force-included)
)

CONSTRAINTS_MARKER = "-- @constraints"


def sql_file(name: str) -> Path:
    """The path of ``sql/<name>``; raises FileNotFoundError naming where it looked."""
    for folder in _CANDIDATES:
        if (folder / name).is_file():
            return folder / name
    looked = ", ".join(str(folder) for folder in _CANDIDATES)
    raise FileNotFoundError(f"sql/{name} not found (looked in {looked})")
