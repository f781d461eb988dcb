"""The tokens file load tests log in with: ``user_id,role,token`` for every user.

Tokens are derived from the seed (portal.auth.tokens.dataset_token), so the
file can be rewritten for a dataset loaded long ago without touching the
database's rows. It holds working credentials for the test dataset: it lives
in the perfproof home (portal/home.py; git-ignored in a checkout) and is
created owner-readable only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from portal.auth.tokens import dataset_token
from portal.files import write_text_atomically
from portal.home import perfproof_home

HEADER = ("user_id", "role", "token")


@dataclass(frozen=True)
class DatasetUser:
    """One line of the tokens file."""

    user_id: int
    role: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def default_tokens_path(scale: str, seed: int, home: Path | None = None) -> Path:
    """``tokens-<scale>-<seed>.csv`` in the perfproof home (beside the embedded servers)."""
    return (home or perfproof_home()) / f"tokens-{scale}-{seed}.csv"


def write_tokens_file(path: Path, *, seed: int, users: Iterable[tuple[int, str]]) -> Path:
    """Write ``user_id,role,token`` rows for ``users`` (id, role) atomically; returns ``path``.

    A load test starting at the same moment reads the old file or the new
    one, never half of one.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows((uid, role, dataset_token(seed, uid)) for uid, role in users)
    path = Path(path)
    write_text_atomically(path, buffer.getvalue(), mode=0o600)
    return path


def read_tokens_file(path: Path) -> list[DatasetUser]:
    """Every user of a tokens file, in file order (user id order)."""
    with Path(path).open(newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != HEADER:
            raise ValueError(f"{path} is not a tokens file (header {','.join(HEADER)})")
        return [DatasetUser(int(row["user_id"]), row["role"], row["token"]) for row in reader]
