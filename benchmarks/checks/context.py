"""What every check gets: the services, the dataset's users, and the portal to run against.

The checks act as the portal's clients only: they sign in with the dataset's
own tokens (derived from the seed, as ``perfproof token`` and the tokens file
are) and pick ids to ask for with read-only SQL, so discovering an order id
never warms the cache a check is about to observe. Each check takes buyers
and products nobody else in the run has used, so a cache entry another check
left behind can never be taken for one this check caused.

The portal is served lazily and once per run (``portal()``); a check that
needs another variant (its own Redis, another app) serves it itself with
``serve()``. ``portal_env`` changes the settings of every portal the run
serves: empty for the real portal, a wrong TTL or a disabled cache in the
tests that show each check can fail.
"""

from __future__ import annotations

import contextlib
import itertools
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import psycopg

from benchmarks.checks.portal_server import ServedPortal, serve_portal
from portal.auth.tokens import dataset_token
from portal.cli.serve import APP
from portal.datagen import SCALES
from portal.datagen.fingerprint import matches, read_fingerprint
from portal.datagen.tokens_file import DatasetUser
from portal.settings import libpq_url

CANDIDATES = 1_000  # buyers and products a run may hand out (the sustained money run: many)

_BUYERS = """
SELECT u.id, EXISTS (SELECT 1 FROM cart_items c WHERE c.user_id = u.id) AS has_cart
FROM users u
WHERE u.role = 'buyer' AND u.id <= %(users)s
  AND EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id)
ORDER BY u.id
LIMIT %(limit)s
"""
_ADMIN = "SELECT id FROM users WHERE role = 'admin' AND id <= %(users)s ORDER BY id LIMIT 1"
_PRODUCTS = "SELECT id FROM products WHERE active ORDER BY id LIMIT %(limit)s"
_NEWEST_ORDER = "SELECT id FROM orders WHERE user_id = %s ORDER BY created_at DESC, id DESC LIMIT 1"


class ChecksUnavailable(RuntimeError):
    """The checks cannot start (no such dataset in the database); one sentence for a human."""


class AskedTooMuch(ChecksUnavailable):
    """The options ask for more than the dataset holds: the user's to change, exit 2."""


@dataclass(frozen=True)
class MoneyLoad:
    """How hard the ``money`` check pushes: buyers at once, seconds, and the worker counts.

    The default is the quick one of every run; ``perfproof checks --check money
    --money-buyers 50 --money-seconds 30`` is the sustained one.
    """

    buyers: int = 6
    seconds: float = 5.0
    workers: tuple[int, ...] = (1, 2)


class CheckContext:
    """Services, users and servers of one run of the checks; a context manager."""

    def __init__(
        self,
        *,
        database_url: str,
        redis_url: str,
        scale: str,
        seed: int,
        portal_env: Mapping[str, str] | None = None,
        app: str = APP,
        folder: Path | None = None,
        money: MoneyLoad | None = None,
    ) -> None:
        self.database_url = libpq_url(database_url)
        self.redis_url = redis_url
        self.scale = scale
        self.seed = seed
        self.portal_env = dict(portal_env or {})
        self.app = app
        self.money = money or MoneyLoad()
        self._stack = contextlib.ExitStack()
        if folder is None:
            folder = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="checks-")))
        self.folder = folder
        self._logs = itertools.count(1)
        self._numbers = itertools.count(3)
        self._shared: ServedPortal | None = None
        try:
            self._read_dataset()
        except BaseException:
            self._stack.close()
            raise

    def _read_dataset(self) -> None:
        users = SCALES[self.scale].users
        with psycopg.connect(self.database_url, connect_timeout=10) as conn:
            if not matches(read_fingerprint(conn), scale=self.scale, seed=self.seed):
                raise ChecksUnavailable(
                    f"the database does not hold the {self.scale} dataset of seed {self.seed} "
                    "(load it first: perfproof generate)"
                )
            admin = conn.execute(_ADMIN, {"users": users}).fetchone()
            buyers = conn.execute(_BUYERS, {"users": users, "limit": CANDIDATES}).fetchall()
            products = conn.execute(_PRODUCTS, {"limit": CANDIDATES}).fetchall()
        if admin is None or not buyers or not products:
            raise ChecksUnavailable("the dataset has no admin, no buyer with orders or no product")
        self.admin = self._user(admin[0], "admin")
        self._buyers = [(self._user(user_id, "buyer"), bool(cart)) for user_id, cart in buyers]
        self._products = [int(row[0]) for row in products]

    def _user(self, user_id: int, role: str) -> DatasetUser:
        return DatasetUser(user_id, role, dataset_token(self.seed, user_id))

    # -- handing out ------------------------------------------------------------

    def buyer(self, *, empty_cart: bool = False) -> DatasetUser:
        """A buyer with at least one order that no earlier check of this run used."""
        for index, (user, has_cart) in enumerate(self._buyers):
            if not (empty_cart and has_cart):
                del self._buyers[index]
                return user
        raise ChecksUnavailable("the dataset has run out of buyers for the checks")

    def buyers_left(self) -> int:
        return len(self._buyers)

    def product_id(self) -> int:
        """An active product no earlier check of this run asked for."""
        if not self._products:
            raise ChecksUnavailable("the dataset has run out of products for the checks")
        return self._products.pop(0)

    def newest_order(self, user: DatasetUser) -> int:
        with psycopg.connect(self.database_url, connect_timeout=10) as conn:
            row = conn.execute(_NEWEST_ORDER, (user.user_id,)).fetchone()
        if row is None:
            raise ChecksUnavailable(f"buyer {user.user_id} has no order")
        return int(row[0])

    def unique_number(self) -> int:
        """3, 4, 5, ...: a page size no earlier request of this run used (a fresh listing key)."""
        return next(self._numbers)

    # -- portals ----------------------------------------------------------------

    def portal(self) -> ServedPortal:
        """The run's portal (started on first use, stopped when the run ends)."""
        if self._shared is None:
            self._shared = self._stack.enter_context(self.serve())
        return self._shared

    @contextlib.contextmanager
    def serve(
        self, *, redis_url: str | None = None, app: str | None = None, workers: int = 1
    ) -> Iterator[ServedPortal]:
        """A portal of the caller's own, with the run's settings changes, until the block ends."""
        log = self.folder / f"portal-{next(self._logs)}.log"
        with serve_portal(
            database_url=self.database_url,
            redis_url=redis_url or self.redis_url,
            log=log,
            app=app or self.app,
            changes=self.portal_env,
            workers=workers,
        ) as served:
            yield served

    def close(self) -> None:
        self._shared = None
        self._stack.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
