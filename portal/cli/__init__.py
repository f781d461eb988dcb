"""The portal's own commands: serve it, give it services and data, switch its indexes, clean up.

Each is a module with ``build_parser(prog)`` and ``run(args)``; ``PORTAL_COMMANDS``
lists them for ``python -m portal`` and for the ``perfproof`` command, which
adds the harness's (``perfproof/cli.py``).
"""

from portal.cli.commands import Command

PORTAL_COMMANDS = (
    Command("serve", "portal.cli.serve", "serve the portal with uvicorn"),
    Command(
        "services",
        "portal.cli.services",
        "show the PostgreSQL and Redis in use, starting embedded ones if needed",
    ),
    Command("generate", "portal.cli.generate", "fill a database with the deterministic dataset"),
    Command("token", "portal.cli.token", "mint an API token for a user"),
    Command("indexes", "portal.cli.indexes", "turn the performance indexes on or off"),
    Command("cleanup", "portal.cli.cleanup", "delete abandoned carts and old audit rows (batched)"),
)

__all__ = ["PORTAL_COMMANDS", "Command"]
