"""perfproof's reference B2B portal: ``create_app(Settings(...))`` builds one.

The names are loaded on first use (PEP 562), so the command line and the
development kit (``portal.cli``, ``portal.datagen``, ``portal.devstack``)
do not import FastAPI and the whole app just to print their help.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal.app import create_app
    from portal.settings import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from portal.app import create_app

        return create_app
    if name == "Settings":
        from portal.settings import Settings

        return Settings
    raise AttributeError(f"module 'portal' has no attribute {name!r}")
