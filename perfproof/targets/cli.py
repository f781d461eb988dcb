"""``perfproof target``: a team's own service as the target (``docs/targets.md``).

``perfproof target check FILE`` reads the target file and its claims file,
checks every key, and prints the plan (arms, order, units, budget, evidence,
claims) without starting anything: exit 0 when both files are usable, one
line on stderr and exit 2 when not.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from loadtests.profiles import LOAD_PROFILES
from perfproof.targets.plan import plan_lines
from perfproof.targets.target_claims import check_claims
from perfproof.targets.target_file import TargetError, load_target

BAD_INPUT = 2  # as every perfproof command: a user's mistake
# The portal's PORTAL_* settings are not a target's business: a stray one must not stop it.
READS_PORTAL_SETTINGS = False


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "A team's own service as perfproof's target, declared in a target file (TOML): how "
            "it starts or its URL, its arms, its load (your Locust file or a declared request "
            "mix), its evidence sources, its data size and its claims. The format, with a "
            "complete example: docs/targets.md."
        ),
        epilog="Example: perfproof target check shop/target.toml (docs/targets.md has it whole)",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="check the target file and its claims, print the plan, start nothing",
        description=(
            "Read the target file and its claims file, check every key (a bad one is refused "
            "in one line naming the file, the key and the problem, exit 2), and print what a "
            "run would do: the service, the arms and their order, the load and its models, "
            "the units and the budget, the evidence declared, the data size and each claim "
            "with what it needs. Nothing is started, nothing is connected to. Secrets are "
            "hidden."
        ),
    )
    check.add_argument("file", type=Path, metavar="FILE", help="the target file (TOML)")
    check.add_argument(
        "--profile",
        choices=tuple(LOAD_PROFILES),
        default="default",
        help="the load profile whose budget the plan shows (default: default)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        target = load_target(args.file)
        claims = check_claims(target)
    except TargetError as error:
        print(f"perfproof target: error: {error}", file=sys.stderr)
        return BAD_INPUT
    for line in plan_lines(target, args.profile, claims):
        print(line)
    return 0
