"""The tokens file load tests log in with: ``user_id,role,token`` for every user.

Tokens are derived from the seed (portal.auth.tokens.dataset_token), so the
file can be rewritten for a dataset loaded long ago without touching the
database's rows. It holds working credentials for the test dataset: it lives
in the git-ignored .perfproof/ folder and is created owner-readable only.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from portal.auth.tokens import dataset_token

_REPO_ROOT = Path(__file__).resolve().parents[2]


def perfproof_home() -> Path:
    """``$PERFPROOF_HOME``, else ``.perfproof/`` in the checkout (or the working directory)."""
    configured = os.environ.get("PERFPROOF_HOME")
    if configured:
        return Path(configured)
    root = _REPO_ROOT if (_REPO_ROOT / "pyproject.toml").is_file() else Path.cwd()
    return root / ".perfproof"


def default_tokens_path(scale: str, seed: int) -> Path:
    return perfproof_home() / f"tokens-{scale}-{seed}.csv"


def write_tokens_file(path: Path, *, seed: int, users: Iterable[tuple[int, str]]) -> Path:
    """Write ``user_id,role,token`` rows for ``users`` (id, role) atomically; returns ``path``.

    Temp file in the same folder, then os.replace: a load test starting at the
    same moment reads the old file or the new one, never half of one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(("user_id", "role", "token"))
            writer.writerows((uid, role, dataset_token(seed, uid)) for uid, role in users)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
