"""What the tree says about itself holds: every file a comment or document names exists.

A comment pointing at a module that moved (or at a file outside the
repository, which a reader of a clone cannot open) sends the next reader
looking for something that is not there.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL = ("perfproof", "portal", "benchmarks", "loadtests", "reports", "sql", "tests", ".ci")
# Paths that exist elsewhere than in the checkout, on purpose.
NOT_IN_THE_CHECKOUT = {"portal/_sql"}  # where the wheel puts sql/ (pyproject.toml)
# Folders the product card fixes that hold no code yet: the README announces them.
ANNOUNCED = {"loadtests", "reports"}
_TOPS = "|".join(map(re.escape, TOP_LEVEL))
_REFERENCE = re.compile(rf"(?<![\w/.-])((?:{_TOPS})/(?:[\w/.-]*\w)?)")
_OUTSIDE = re.compile(r"(?<![\w.-])(?:\.\./[\w.-]+|shared/[\w.-]+\.md)")


def documented_files() -> list[Path]:
    found = [ROOT / "README.md", ROOT / "pyproject.toml", ROOT / "noxfile.py", ROOT / ".ci/run"]
    for top in TOP_LEVEL:
        for suffix in ("*.py", "*.sql", "*.md", "*.toml"):
            found += (ROOT / top).rglob(suffix) if (ROOT / top).is_dir() else []
    this = Path(__file__).resolve()  # its own examples are made up on purpose
    return sorted(path for path in found if path.is_file() and path != this)


def _named(path: Path) -> set[str]:
    return {match.rstrip(".").rstrip("/") for match in _REFERENCE.findall(path.read_text())}


def test_every_named_file_exists() -> None:
    missing = {
        f"{path.relative_to(ROOT)}: {ref}"
        for path in documented_files()
        for ref in _named(path)
        if ref not in NOT_IN_THE_CHECKOUT
        and not (ROOT / ref).exists()
        and not (path.name == "README.md" and ref in ANNOUNCED)
    }
    assert missing == set()


def test_nothing_points_outside_the_repository() -> None:
    outside = {
        f"{path.relative_to(ROOT)}: {ref}"
        for path in documented_files()
        for ref in _OUTSIDE.findall(path.read_text())
    }
    assert outside == set()


def test_the_reference_finder_finds_references() -> None:
    """Synthetic text with known answers, so the checks above can fail."""
    text = "see portal/cache/keys.py and sql/schema.sql (reports/), or ../shared/MEASUREMENTS.md."
    assert _REFERENCE.findall(text) == ["portal/cache/keys.py", "sql/schema.sql", "reports/"]
    assert _OUTSIDE.findall(text) == ["../shared"]
