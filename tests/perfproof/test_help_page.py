"""``docs/commands.md`` is what the parsers print today: regenerated here and compared."""

from __future__ import annotations

import importlib
import os
import re
import sys

import pytest

from perfproof.cli import COMMANDS
from perfproof.help_page import PAGE, REGENERATE, WIDTH, render


def _rendered_with() -> str:
    """The Python version the committed page names (argparse's layout differs between them)."""
    found = re.search(r"Python (\d+\.\d+)'s argparse", PAGE.read_text())
    assert found, f"{PAGE.name} names no Python version: run `{REGENERATE}`"
    return found.group(1)


def test_the_commands_page_is_current() -> None:
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if _rendered_with() == here:
        assert PAGE.read_text() == render(), f"docs/commands.md is stale: run `{REGENERATE}`"
    else:
        # Another Python lays the same options out differently: then every command and
        # every option string must still be on the page.
        page = PAGE.read_text()
        for command in COMMANDS:
            assert f"## perfproof {command.name}\n" in page, f"run `{REGENERATE}`"
            parser = importlib.import_module(command.module).build_parser("perfproof")
            for action in parser._actions:
                for option in action.option_strings:
                    assert option in page, f"{command.name} {option}: run `{REGENERATE}`"


def test_every_command_has_its_section_in_the_table_order() -> None:
    headings = re.findall(r"^## (perfproof.*)$", render(), flags=re.MULTILINE)
    assert headings == ["perfproof", *(f"perfproof {command.name}" for command in COMMANDS)]


def test_the_width_does_not_depend_on_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """argparse wraps to COLUMNS: a narrow terminal changes neither the page nor COLUMNS."""
    wide = render()
    monkeypatch.setenv("COLUMNS", "40")
    assert render() == wide
    assert os.environ["COLUMNS"] == "40"
    bench = wide.split("## perfproof bench\n")[1].split("## ")[0]  # wrapped by argparse
    assert 60 < max(len(line) for line in bench.splitlines()) <= WIDTH
