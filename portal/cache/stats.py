"""Cache counters per namespace, for the stats endpoint and the monitoring issue.

Plain integers bumped on the event loop (one thread per worker): no locks, and
cheap enough for the hit path. Per worker process; a harness sums the workers
or reads Redis's own counters for the server-side truth.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from portal.cache.policy import NAMESPACES


@dataclass(slots=True)
class Counters:
    hits: int = 0  # served stored bytes (includes coalesced)
    misses: int = 0  # computed by the app
    coalesced: int = 0  # waited for another request's computation (single-flight or lock)
    bypasses: int = 0  # header, unauthenticated or uncacheable request
    fallbacks: int = 0  # hits and misses answered by the in-process fallback
    stores: int = 0  # entries written
    invalidations: int = 0  # version tokens renewed

    @property
    def hit_ratio(self) -> float | None:
        looked_up = self.hits + self.misses
        return self.hits / looked_up if looked_up else None


@dataclass(slots=True)
class CacheStats:
    namespaces: dict[str, Counters] = field(
        default_factory=lambda: {name: Counters() for name in (*NAMESPACES, "all")}
    )

    def __getitem__(self, namespace: str) -> Counters:
        return self.namespaces[namespace]

    def totals(self) -> Counters:
        total = Counters()
        for counters in self.namespaces.values():
            for name, value in asdict(counters).items():
                setattr(total, name, getattr(total, name) + value)
        return total

    def snapshot(self) -> dict[str, dict[str, float | int | None]]:
        """Counters by namespace plus ``total``, with hit ratios, as plain JSON."""
        rows = {**self.namespaces, "total": self.totals()}
        return {name: {**asdict(c), "hit_ratio": c.hit_ratio} for name, c in rows.items()}
