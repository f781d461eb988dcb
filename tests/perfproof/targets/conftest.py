"""The target file of ``docs/targets.md``, written into a folder with the files it names."""

from __future__ import annotations

from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[3] / "docs" / "targets.md"


def doc_blocks(kind: str) -> list[str]:
    """The fenced blocks of ``docs/targets.md`` of one kind (``toml``, or ``""`` for plain)."""
    blocks: list[tuple[str, list[str]]] = []
    inside = False
    for line in DOCS.read_text().splitlines():
        if line.startswith("```"):
            if not inside:
                blocks.append((line[3:].strip(), []))
            inside = not inside
        elif inside:
            blocks[-1][1].append(line)
    return ["\n".join(lines) + "\n" for found, lines in blocks if found == kind]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A folder holding the documented target file, its claims and the files they name."""
    folder = tmp_path / "shop"
    (folder / "perf").mkdir(parents=True)
    target, claims, _mix = doc_blocks("toml")
    (folder / "target.toml").write_text(target)
    (folder / "claims.toml").write_text(claims)
    (folder / "locustfile.py").write_text("from locust import HttpUser\n")
    (folder / "perf" / "test_search.py").write_text("def test_search(): pass\n")
    return folder / "target.toml"
