"""In-process single-flight: concurrent misses of one key share one computation.

The first request for a key becomes the leader and computes; the others wait
for its result. A result that cannot be shared (not a 200) is published as
``None`` and every follower computes for itself, exactly as without the cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(slots=True)
class Flight:
    """One computation in progress; ``publish`` once, ``wait`` any number of times."""

    _done: asyncio.Future[bytes | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def publish(self, body: bytes | None) -> None:
        if not self._done.done():
            self._done.set_result(body)

    async def wait(self) -> bytes | None:
        # shield: a follower whose client went away must not cancel the leader's future.
        return await asyncio.shield(self._done)


class SingleFlight:
    def __init__(self) -> None:
        self._flights: dict[str, Flight] = {}

    def joinable(self, key: str) -> Flight | None:
        """The flight already computing ``key``, if any."""
        return self._flights.get(key)

    @contextmanager
    def lead(self, key: str) -> Iterator[Flight]:
        """Register as the leader for ``key``; followers get ``None`` if we fail."""
        flight = Flight()
        self._flights[key] = flight
        try:
            yield flight
        finally:
            flight.publish(None)
            if self._flights.get(key) is flight:
                del self._flights[key]

    def __len__(self) -> int:
        return len(self._flights)
