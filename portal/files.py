"""Result files written whole or not at all.

A reader (a person, the report, a CI gate) must never take a file cut short
by a crash or Ctrl-C for a complete one, so every result file is written to
a temporary name in the same folder and renamed over the final name.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any


def write_text_atomically(path: Path, text: str, *, mode: int | None = None) -> None:
    """Create the parent folder, then replace ``path`` with ``text`` in one rename.

    ``mode`` sets the permissions before anything is written (``0o600`` for
    credentials); otherwise the file gets the temporary file's owner-only ones.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "w", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomically(path: Path, payload: Any) -> None:
    """``payload`` as indented JSON (dates and paths as strings)."""
    write_text_atomically(path, json.dumps(payload, indent=2, default=str) + "\n")


def write_csv_atomically(
    path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]
) -> None:
    """One CSV row per mapping, under a header of ``columns``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns))
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomically(path, buffer.getvalue())
