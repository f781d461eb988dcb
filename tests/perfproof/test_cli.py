"""``perfproof``: one command line for every task, each row of its table a working command."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from perfproof.cli import COMMANDS, main
from portal.cli import PORTAL_COMMANDS, Command
from portal.cli.exit_codes import Exit

NAMES = [command.name for command in COMMANDS]
PERFPROOF = [sys.executable, "-m", "perfproof"]


def test_every_task_the_readme_names_is_a_command() -> None:
    wanted = {"bench", "generate", "token", "services", "serve", "indexes", "index-proof"}
    wanted |= {"write-cost", "cleanup", "http-throughput", "monitoring-cost"}
    assert wanted <= set(NAMES)
    assert len(NAMES) == len(set(NAMES))
    assert {c.name for c in PORTAL_COMMANDS} <= set(NAMES), "the portal's commands are all here"


@pytest.mark.parametrize("command", COMMANDS, ids=NAMES)
def test_every_row_names_a_module_with_a_parser_and_a_run(command: Command) -> None:
    module = importlib.import_module(command.module)
    assert callable(module.build_parser) and callable(module.run)
    parser = module.build_parser(f"perfproof {command.name}")
    assert parser.prog == f"perfproof {command.name}"
    assert parser.description, "--help explains the command"


def test_help_lists_every_command_with_its_summary() -> None:
    done = subprocess.run([*PERFPROOF, "--help"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0
    for command in COMMANDS:
        assert f"{command.name:<16} {command.summary}" in done.stdout


def test_a_command_passes_its_own_help_through() -> None:
    done = subprocess.run(
        [*PERFPROOF, "index-proof", "--help"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0
    assert done.stdout.startswith("usage: perfproof index-proof")
    assert "--force-index-use" in done.stdout


@pytest.mark.parametrize(
    "argv", [[], ["nope"], ["--port", "8000"]], ids=["none", "unknown", "option"]
)
def test_no_or_an_unknown_command_is_refused_with_the_list(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(argv)
    except SystemExit as stop:
        code = int(stop.code or 0)
    assert code == Exit.BAD_INPUT
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "COMMAND" in err
    if argv:  # a mistake: one line saying what is wrong (no command at all: the list)
        assert err.count("\n") == 1, err
