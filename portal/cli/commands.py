"""Command lines as declared tables: a name, the module that implements it, one line of help.

Every command module has ``build_parser(prog)`` and ``run(args) -> int``; a
table of :class:`Command` rows turns such modules into ``perfproof COMMAND``
(and ``python -m portal COMMAND``). A command's module is imported only when
that command runs, so ``--help`` answers at once and a command never pays for
another's imports (the portal app alone costs about a second).

Exit codes are the same everywhere: 0 done, 1 a measured check failed (a gate,
``--strict``), 2 a user mistake or an unusable service (one line on stderr,
never a traceback); stopped by a signal, 128 + its number: 130 SIGINT (Ctrl-C),
143 SIGTERM, 129 SIGHUP, each handled alike (``portal/stop_signals.py``).
Before a command runs, embedded servers left running by a command that was
killed (SIGKILL: nothing could clean up) are stopped, with one line each.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import NoReturn, Protocol, cast

from portal.cli.exit_codes import STOPPED_EXIT, Exit
from portal.stop_signals import signal_of, stop_line, stop_signals_handled, stop_with_parent

# A module missing from these is a bug of ours, not an installation to fix.
OUR_PACKAGES = ("perfproof", "portal", "benchmarks", "loadtests", "reports")
# What the commands' --help says of them.
EXIT_STOPPED_HELP = "130 interrupted (Ctrl-C; 143 SIGTERM, 129 SIGHUP)"


def stopped_exit_code(stop: BaseException) -> int:
    """The exit status of a command ``stop`` (a stop signal, or Ctrl-C) ended."""
    return STOPPED_EXIT[signal.Signals(signal_of(stop))]


def stop_signal_in(code: int | None) -> int | None:
    """The stop signal a child's exit status says ended it (its own exit, or death by it)."""
    for signum, exit_code in STOPPED_EXIT.items():
        if code in (exit_code, -signum):
            return int(signum)
    return None


class CommandModule(Protocol):
    """What a module must offer to be a command."""

    def build_parser(self, prog: str) -> argparse.ArgumentParser: ...

    def run(self, args: argparse.Namespace) -> int: ...


@dataclass(frozen=True)
class Command:
    name: str
    module: str  # dotted path of a CommandModule
    summary: str  # one line for the command list


def invoke(module: CommandModule | ModuleType, argv: Sequence[str] | None, *, prog: str) -> int:
    """Parse ``argv`` with the module's parser and run it; a stop signal is its exit code
    (130, 143, 129), not a traceback.

    ``module`` may be a command module's own ``sys.modules[__name__]`` (for
    ``python -m package.module``).
    """
    with stop_signals_handled():
        stop_with_parent()
        module = cast(CommandModule, module)
        parser = module.build_parser(prog)
        parser.error = _one_line_error(prog)  # type: ignore[method-assign]
        args = parser.parse_args(argv)
        # A bad PORTAL_* value is a user mistake like a bad option: said before any work.
        # A command about a team's own service (``READS_PORTAL_SETTINGS = False``) has no
        # use for them, and a stray one must not stop it.
        from portal.settings import settings_problem

        reads = getattr(module, "READS_PORTAL_SETTINGS", True)
        if reads and (problem := settings_problem()) is not None:
            print(f"{prog}: error: {problem}", file=sys.stderr)
            return Exit.BAD_INPUT
        try:
            _stop_orphans(prog)
            return module.run(args)
        except KeyboardInterrupt as stop:
            print(stop_line(stop), file=sys.stderr)
            return stopped_exit_code(stop)


def _stop_orphans(prog: str) -> None:
    """Embedded servers whose owner was killed: stopped now, one line each on stderr."""
    from portal.devstack import stop_orphans

    for line in stop_orphans():
        print(f"{prog}: {line}", file=sys.stderr)


def _one_line_error(prog: str) -> Callable[[str], NoReturn]:
    """argparse's error without its usage block: one line on stderr, exit 2, as for every
    other user mistake (``--help`` still prints the usage)."""

    def error(message: str) -> NoReturn:
        print(f"{prog}: error: {message} (see {prog} --help)", file=sys.stderr)
        sys.exit(Exit.BAD_INPUT)

    return error


def dispatch(
    commands: Sequence[Command],
    argv: Sequence[str] | None,
    *,
    prog: str,
    description: str,
    epilog: str = "",
) -> int:
    """``prog [-v] COMMAND [ARGS]``: run the command of that name with the rest of ``argv``."""
    listing = "\n".join(f"  {command.name:<16} {command.summary}" for command in commands)
    parser = argparse.ArgumentParser(
        prog=prog,
        usage=f"{prog} [-h] [-v] COMMAND [ARGS ...]",
        description=f"{description}\n\ncommands:\n{listing}",
        epilog=f"Run '{prog} COMMAND --help' for the options of one command. {epilog}".strip(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.error = _one_line_error(prog)  # type: ignore[method-assign,assignment]
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    parser.add_argument(
        "command",
        choices=[command.name for command in commands],
        metavar="COMMAND",
        help="one of the commands above",
    )
    parser.add_argument(
        "arguments", nargs=argparse.REMAINDER, metavar="ARGS", help="the command's own options"
    )
    if not (sys.argv[1:] if argv is None else argv):
        parser.print_help(sys.stderr)  # no command: the list of them, as git does
        return Exit.BAD_INPUT
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    (command,) = (row for row in commands if row.name == args.command)
    return run_module(command.module, args.arguments, prog=f"{prog} {command.name}")


def run_module(name: str, argv: Sequence[str] | None, *, prog: str) -> int:
    """Import the command module ``name`` and invoke it; a stop signal while importing is its
    exit code."""
    with stop_signals_handled():
        stop_with_parent()
        try:
            module = importlib.import_module(name)  # a command's imports take up to a second
        except KeyboardInterrupt as stop:
            print(stop_line(stop), file=sys.stderr)
            return stopped_exit_code(stop)
        except ModuleNotFoundError as missing:
            if (missing.name or "").split(".")[0] in OUR_PACKAGES:
                raise  # our own code: a bug, not an installation
            print(
                f"error: {prog} needs the Python package {missing.name!r}, which is not "
                "installed (the load tests: pip install 'perfproof[loadtest]')",
                file=sys.stderr,
            )
            return Exit.BAD_INPUT
        return invoke(module, argv, prog=prog)


def fail(error: BaseException) -> int:
    """One line on stderr, the first line of the message saying what kind of failure; exit 2.

    Database errors are named as such (the message alone, e.g. ``relation
    "users" does not exist``, does not say which side failed), SQLAlchemy's
    wrapper is taken off, and a database without the portal's tables says
    how to get them.
    """
    import psycopg  # every caller talks to PostgreSQL; imported late to keep --help fast

    error = getattr(error, "orig", None) or error  # sqlalchemy.exc.DBAPIError
    hint = ""
    if isinstance(error, psycopg.OperationalError):
        what = "cannot use the database: "
    elif isinstance(error, psycopg.Error):
        what = "database error: "
        if isinstance(error, psycopg.errors.UndefinedTable):
            hint = " (no portal tables here: load a dataset with perfproof generate)"
    else:
        what = ""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    message = lines[0] if lines else type(error).__name__
    print(f"error: {what}{message}{hint}", file=sys.stderr)
    return Exit.BAD_INPUT
