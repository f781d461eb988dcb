"""Text from a claims file or a run is shown as text: in verdicts.md and in the terminal.

Each payload goes into every field of a verdict a claims file or a run can
fill (id, quote, reason, the title, the run's name); the Markdown is rendered
and must show the payload as the text it is, in a table whose rows all keep
their columns, and the terminal lines must hold no control character.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reports.claims import Claim
from reports.inert_text import markdown_text, terminal_text
from reports.verdict_output import markdown, terminal_lines
from reports.verdicts import Verdict
from tests.reports.inert import PAYLOADS, assert_inert, assert_no_control


@pytest.mark.parametrize(("payload", "shown"), PAYLOADS)
def test_a_markdown_cell_renders_as_the_text_it_holds(payload: str, shown: str) -> None:
    table = f"| a | b |\n|---|---|\n| {markdown_text(payload)} | after |\n"
    page = assert_inert(table)
    assert page.rows == [["a", "b"], [shown, "after"]]


@pytest.mark.parametrize(("payload", "shown"), PAYLOADS)
def test_terminal_text_keeps_the_words_and_drops_every_control(payload: str, shown: str) -> None:
    assert terminal_text(payload) == shown


def test_every_c0_and_c1_control_is_dropped_and_breaks_become_spaces() -> None:
    controls = "".join(map(chr, [*range(0x20), 0x7F, *range(0x80, 0xA0)]))
    assert terminal_text(f"a{controls}b") == "a" + " " * 6 + "b"  # \t \n \v \f \r and NEL
    assert terminal_text("é — ÷ 85 %") == "é — ÷ 85 %"


def _verdicts() -> list[Verdict]:
    return [
        Verdict(
            Claim.not_measurable(id=payload, quote=payload, reason=payload),
            verdict="not measurable",
            reason=payload,
        )
        for payload, _ in PAYLOADS
    ]


def test_verdicts_md_shows_every_payload_as_text() -> None:
    page = assert_inert(markdown(_verdicts(), run='run"><img src=x>', title="<script>x</script>"))
    assert "<h3>perfproof: &lt;script&gt;x&lt;/script&gt;</h3>" in page.html
    assert "Run <code>run&quot;&gt;&lt;img src=x&gt;</code>." in page.html
    assert page.rows[0][:2] == ["claim", "quote"]
    for (_, shown), row in zip(PAYLOADS, page.rows[1:], strict=True):
        assert (row[0], row[1], row[8]) == (shown, shown, shown)


def test_the_terminal_verdict_table_prints_no_control_and_keeps_its_columns() -> None:
    lines = terminal_lines(_verdicts())
    assert_no_control(lines)
    rows = lines[2 : 2 + len(PAYLOADS)]
    assert len({row.index("—") for row in rows}) == 1  # the claimed column lines up
    assert [row.split("  ")[0] for row in rows] == [shown for _, shown in PAYLOADS]
    assert lines[-len(PAYLOADS) :] == [f"  {shown}: {shown}" for _, shown in PAYLOADS]


def _claims_file(path: Path) -> Path:
    """Every payload as a claim's id, quote, note and reason (JSON strings are TOML strings)."""
    tables = [
        f"[[claims]]\nid = {json.dumps(payload)}\nquote = {json.dumps(payload)}\n"
        f"note = {json.dumps(payload)}\nmeasurable = false\nreason = {json.dumps(payload)}\n"
        for payload, _ in PAYLOADS
    ]
    path.write_text(f"title = {json.dumps(PAYLOADS[0][0])}\n\n" + "\n".join(tables))
    return path


def test_perfproof_report_writes_and_prints_a_hostile_claims_file_as_text(
    tmp_path: Path,
) -> None:
    run = tmp_path / 'run"><img src=x>|\x1b[31m'  # a run folder's name is quoted too
    run.mkdir()
    manifest = {
        "finished": True,
        "profile": "quick",
        "scales": ["tiny"],
        "machine": {"cpus": 2},
        "started_at": "2026-12-02T02:34:17+00:00",
        "ended_at": "2026-12-02T02:35:10+00:00",
    }
    (run / "manifest.json").write_text(json.dumps(manifest))
    done = subprocess.run(
        [sys.executable, "-m", "reports", "--claims", str(_claims_file(tmp_path / "c.toml")),
         "--run", str(run)],
        capture_output=True, timeout=120,
    )  # fmt: skip
    out = done.stdout.decode()  # bytes: text mode would turn a \r into a line break
    assert done.returncode == 0, done.stderr.decode()
    page = assert_inert((run / "verdicts.md").read_bytes().decode())
    for (_, shown), row in zip(PAYLOADS, page.rows[1:], strict=True):
        assert (row[0], row[1], row[8]) == (shown, shown, shown)
    assert "Run <code>run&quot;&gt;&lt;img src=x&gt;|[31m</code>." in page.html
    assert_no_control(out.split("\n"))
    assert f'report: {tmp_path}/run"><img src=x>|[31m/report.html' in out
    for _, shown in PAYLOADS:
        assert f"  {shown}: {shown}" in out
