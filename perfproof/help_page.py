"""``docs/commands.md``: every command's ``--help``, generated from the parsers themselves.

asv's ``_make_docstring`` habit: a reference written by hand drifts from the
options the code accepts; one printed by the parsers cannot. The page is built
from the command table (``COMMANDS`` of the ``perfproof`` command: a name and
the dotted path of a module with ``build_parser(prog)`` per row), so a new
command or option appears here when the page is regenerated, and a test fails
until it is::

    python -m perfproof.help_page

argparse wraps help to the terminal's width, so the page is rendered at a fixed
``COLUMNS`` (100) whatever terminal runs it. argparse's layout also changes
between Python versions (3.13 prints ``-s, --scale SCALE`` where 3.11 prints
``-s SCALE, --scale SCALE``): the page names the version that rendered it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

WIDTH = 100
PAGE = Path(__file__).resolve().parents[1] / "docs" / "commands.md"
REGENERATE = "python -m perfproof.help_page"


@contextlib.contextmanager
def _columns(width: int) -> Iterator[None]:
    """argparse reads the width from ``COLUMNS`` (via ``shutil.get_terminal_size``)."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def _top_level_help() -> str:
    """``perfproof --help``: the command list, as the dispatcher prints it."""
    from perfproof.cli import main

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.suppress(SystemExit):
        main(["--help"])
    return printed.getvalue()


def _fenced(text: str) -> str:
    return f"```text\n{text.rstrip()}\n```\n"


def render() -> str:
    """The whole page, Markdown: ``perfproof --help``, then each command's, in the table's order."""
    from perfproof.cli import COMMANDS

    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    parts = [
        "# Commands\n",
        "Every command's `--help`, as its parser prints it. Generated from the command table by "
        f"`{REGENERATE}` (Python {version}'s argparse, {WIDTH} columns); do not edit it by hand: "
        "a test fails when it is not current.\n",
    ]
    with _columns(WIDTH):
        parts += ["## perfproof\n", _fenced(_top_level_help())]
        for command in COMMANDS:
            module = importlib.import_module(command.module)
            parser = module.build_parser(f"perfproof {command.name}")
            parts += [
                f"## perfproof {command.name}\n",
                f"{command.summary}\n",
                _fenced(parser.format_help()),
            ]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m perfproof.help_page",
        description=f"Write {PAGE.relative_to(PAGE.parents[1])}: every perfproof command's "
        "--help, generated from the parsers (a test fails when it is not current).",
    ).parse_args(argv)
    PAGE.write_text(render())
    sys.stdout.write(f"wrote {PAGE}\n")  # a command's own output, not a log line
    return 0


if __name__ == "__main__":
    sys.exit(main())
