"""On a machine without Chromium and wrk, their tests are skipped and say what to install; in CI
(``PERFPROOF_REQUIRE_SYSTEM_TOOLS=1``) the same skips are failures.

The browser and wrk tests run in a pytest of their own, with a PATH that holds
every program of this one but those two, as on a user's fresh machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from tests.system_programs import PROGRAMS, REQUIRE_ENV

ROOT = Path(__file__).resolve().parents[1]
NEEDING = {
    "chromium": "tests/reports/page/test_html.py",
    "wrk": "tests/benchmarks/test_http_commands.py",
}


def path_without(hidden: set[str], folder: Path) -> str:
    """A PATH of one folder linking every program on this PATH except ``hidden``."""
    folder.mkdir()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or not Path(directory).is_dir():
            continue
        for entry in Path(directory).iterdir():
            link = folder / entry.name
            if entry.name in hidden or link.exists() or link.is_symlink():
                continue
            if entry.is_file() and os.access(entry, os.X_OK):
                link.symlink_to(entry)
    return str(folder)


def outcomes(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run the browser and wrk tests there; what pytest printed, and each test's outcome text."""
    hidden = {name for program in PROGRAMS.values() for name in program.executables}
    report = tmp_path / f"report-{len(env)}.xml"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {REQUIRE_ENV, *(p.env for p in PROGRAMS.values() if p.env)}
    }
    environment["PATH"] = path_without(hidden, tmp_path / f"bin-{len(env)}")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *NEEDING.values(), "-p", "no:cacheprovider",
         "-q", "-ra", f"--junitxml={report}", "-m", "slow or not slow"],
        cwd=ROOT, env={**environment, **env}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    results: dict[str, str] = {}
    for case in ElementTree.parse(report).iter("testcase"):
        found = [child for child in case if child.tag in ("skipped", "failure", "error")]
        results[f"{case.get('classname')}.{case.get('name')}"] = (
            " ".join(f"{child.tag}: {child.get('message', '')}" for child in found) or "passed"
        )
    return done, results


def program_of(test: str) -> str:
    (name,) = [name for name, path in NEEDING.items() if Path(path).stem in test]
    return name


def test_without_the_programs_their_tests_skip_naming_what_to_install(tmp_path: Path) -> None:
    done, results = outcomes(tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert {program_of(test) for test in results} == set(NEEDING)
    for test, outcome in results.items():
        program = PROGRAMS[program_of(test)]
        assert outcome.startswith("skipped:"), (test, outcome)
        assert f"needs {program.name}" in outcome and program.install in outcome, outcome
    for program in PROGRAMS.values():  # the summary a user reads names it too
        assert any(
            line.startswith("SKIPPED") and program.install in line
            for line in done.stdout.splitlines()
        ), done.stdout[-3000:]


def test_where_every_program_is_required_the_same_skips_fail(tmp_path: Path) -> None:
    done, results = outcomes(tmp_path, **{REQUIRE_ENV: "1"})
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert {program_of(test) for test in results} == set(NEEDING)
    for test, outcome in results.items():
        program = PROGRAMS[program_of(test)]
        assert outcome.startswith(("error:", "failure:")), (test, outcome)
        assert f"needs {program.name}" in outcome and program.install in outcome, outcome


def test_the_development_page_names_each_program_its_tests_and_install() -> None:
    """docs/development.md's table of system programs is the declared one."""
    page = (ROOT / "docs" / "development.md").read_text()
    for name, program in PROGRAMS.items():
        row = next(
            (line for line in page.splitlines() if line.lower().startswith(f"| {name} |")), ""
        )
        assert row, f"docs/development.md has no row for {name}"
        assert f"`{program.install}`" in row and f"`{NEEDING[name]}`" in row, row
