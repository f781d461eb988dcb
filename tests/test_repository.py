"""What the tree says about itself holds: every file a comment or document names exists.

A comment pointing at a module that moved (or at a file outside the
repository, which a reader of a clone cannot open) sends the next reader
looking for something that is not there. The README stays short (the
reference is in ``docs/``), and every path the README or ``docs/`` quotes as
code exists.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL = (
    "perfproof", "portal", "benchmarks", "loadtests", "reports", "sql", "tests", "docs", ".ci",
    "examples",
)  # fmt: skip
ROOT_FILES = ("README.md", "pyproject.toml", "noxfile.py")
# Paths that exist elsewhere than in the checkout, on purpose.
NOT_IN_THE_CHECKOUT = {"portal/_sql"}  # where the wheel puts sql/ (pyproject.toml)
README_LINES = 200
_TOPS = "|".join(map(re.escape, TOP_LEVEL))
_REFERENCE = re.compile(rf"(?<![\w/.-])((?:{_TOPS})/(?:[\w/.-]*\w)?)")
_OUTSIDE = re.compile(r"(?<![\w.-])(?:\.\./[\w.-]+|shared/[\w.-]+\.md)")
_FENCED = re.compile(r"^```.*?^```", flags=re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_NOT_A_PATH = re.compile(r"[\s<>*…$={}?,:|()]")


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
        if ref not in NOT_IN_THE_CHECKOUT and not (ROOT / ref).exists()
    }
    assert missing == set()


def _inside_the_repository(path: Path) -> bool:
    return path.resolve().is_relative_to(ROOT) and path.exists()


def test_nothing_points_outside_the_repository() -> None:
    outside = {
        f"{path.relative_to(ROOT)}: {ref}"
        for path in documented_files()
        for ref in _OUTSIDE.findall(path.read_text())
        if not _inside_the_repository(path.parent / ref)  # docs/ linking ../README.md
    }
    assert outside == set()


def test_the_reference_finder_finds_references() -> None:
    """Synthetic text with known answers, so the checks above can fail."""
    text = "see portal/cache/keys.py and sql/schema.sql (reports/), or ../shared/MEASUREMENTS.md."
    assert _REFERENCE.findall(text) == ["portal/cache/keys.py", "sql/schema.sql", "reports/"]
    assert _OUTSIDE.findall(text) == ["../shared"]


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def quoted_paths(text: str) -> set[str]:
    """The repository paths a Markdown text quotes as code (`reports/claims.toml`, `noxfile.py`).

    Fenced blocks are left out (commands, not references); so are spans that hold
    more than a path (a command line, a placeholder such as ``results/<run>``).
    """
    found = set()
    for span in _CODE_SPAN.findall(_FENCED.sub("", text)):
        span = span.split("::")[0]  # a test's id: its file
        if _NOT_A_PATH.search(span):
            continue
        path = span.rstrip(".").rstrip("/")
        top = path.split("/")[0]
        if ((top in TOP_LEVEL or top == "perfproof") and "/" in span) or path in ROOT_FILES:
            found.add(path)
    return found


def test_every_path_the_documents_quote_exists() -> None:
    """A page that quotes `benchmarks/arms.py` goes stale the day the file moves: this says so."""
    missing = {
        f"{page.relative_to(ROOT)}: {path}"
        for page in documents()
        for path in quoted_paths(page.read_text())
        if not (ROOT / path).exists()
    }
    assert missing == set()


def test_the_quoted_path_finder_finds_paths() -> None:
    """Synthetic text with known answers, so the check above can fail."""
    text = (
        "see `reports/claims.toml`, `docs/`, `noxfile.py` and `tests/x.py::test_y`; "
        "not `results/<run>/tidy.csv`, `perfproof bench`, `GET /api/orders`, `.perfproof/pg`\n"
        "```bash\nlocust -f `loadtests/nowhere.py`\n```\n"
    )
    assert quoted_paths(text) == {"reports/claims.toml", "docs", "noxfile.py", "tests/x.py"}


def test_the_readme_is_short() -> None:
    """What perfproof is, the Quickstart, one verdict table, a run folder, links: the rest is in
    docs/ (the anchors keep a README of 33-190 lines)."""
    lines = (ROOT / "README.md").read_text().count("\n")
    assert lines <= README_LINES, f"README.md has {lines} lines: move the reference to docs/"


def test_the_docs_index_links_every_page() -> None:
    index = (ROOT / "docs" / "index.md").read_text()
    pages = {page.name for page in (ROOT / "docs").glob("*.md")} - {"index.md"}
    assert {page for page in pages if f"]({page})" not in index} == set()
