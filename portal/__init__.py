"""perfproof's reference B2B portal."""

from portal.app import create_app
from portal.settings import Settings

__all__ = ["Settings", "create_app"]
