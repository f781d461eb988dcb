"""The one error a run folder is refused with: every reader of run folders raises and catches it.

Its message is the whole story in one line — the file, the line or field,
the problem — because the commands print it as it is (``error: …``, exit 2).
It quotes run data (a path, a series, a cell, a route), so it is made inert
for the terminal when it is made: a line break in a name cannot make it two
lines, an escape sequence in a cell cannot act (``reports/inert_text.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reports.inert_text import terminal_text


class RunFolderError(ValueError):
    """A folder that is not a run folder perfproof can read; the message is the one line to show."""

    def __init__(self, message: str) -> None:
        super().__init__(terminal_text(message))


def field_name(location: Sequence[str | int]) -> str:
    """``checks[0].passed`` for the location ``("checks", 0, "passed")``."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(the whole file)"


def refuse(path: Path, where: str, problem: str) -> RunFolderError:
    """``<path>: <where>: <problem>``, as the error to raise."""
    return RunFolderError(f"{path}: {where}: {problem}")
