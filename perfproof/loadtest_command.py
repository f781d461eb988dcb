"""``perfproof loadtest``: the load tests' command, offering the run profiles' load settings.

The command itself is ``loadtests/cli.py``; its profiles are rows of
``perfproof/profiles.py``, which the load tests cannot import (they sit
below the tool), so this row of the command table hands them over.
"""

from __future__ import annotations

import argparse

from loadtests import cli
from perfproof.profiles import LOAD_PROFILES


def build_parser(prog: str) -> argparse.ArgumentParser:
    return cli.build_parser(prog, LOAD_PROFILES)


def run(args: argparse.Namespace) -> int:
    return cli.run(args)
