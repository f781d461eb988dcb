"""A target run's folder: ``RESULTS/<UTC time>-target-<name>-<profile>/``, written atomically.

``manifest.json`` is written first with ``finished: false`` and rewritten
with ``finished: true`` only when every output is in place, so a run cut
short is never taken for a finished one. Every write goes to a ``.partial``
file renamed into place: a file is whole or absent. (The portal's run folder
does the same in ``portal/files.py``; the target path may not import the
portal, and four lines are not worth a shared package.)
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any


def new_folder(results: Path, name: str, profile: str) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "target"
    folder = results / f"{stamp}-target-{safe}-{profile}"
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def write_text(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    partial.replace(path)


def write_json(path: Path, document: Any) -> None:
    write_text(path, json.dumps(document, indent=2, default=str) + "\n")
