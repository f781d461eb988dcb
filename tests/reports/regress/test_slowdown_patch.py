"""The slowdown the gate's proof (docs/records.md) injects in a test worktree still applies.

``slowdown.patch`` makes ``orders_for_user`` spin for a fifth of its own time after its
query (same answer, 20 % more work): docs/records.md measures the gate catching it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

PATCH = Path(__file__).with_name("slowdown.patch")
ROOT = Path(__file__).resolve().parents[3]


def test_the_slowdown_patch_applies_to_this_checkout() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(
        ["git", "-C", str(ROOT), "apply", "--check", str(PATCH)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "portal/queries/orders.py" in PATCH.read_text()
