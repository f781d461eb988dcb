"""A declared request mix, drawn: which request next, and its path with values filled in.

For a team without a Locust file of its own (``[[load.requests]]`` in the
target file). Pure and seeded, so a run's sequence of requests is the same
each time; ``perfproof/targets/mix_locustfile.py`` sends what it draws.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from pathlib import Path

from perfproof.targets.model import PLACEHOLDER, Request, Values

LOCUSTFILE = Path(__file__).with_name("mix_locustfile.py")  # what Locust is given, -f
TARGET_ENV = "PERFPROOF_TARGET"  # the target file whose mix it sends
SEED_ENV = "PERFPROOF_SEED"


class Mix:
    """The requests of a target's mix, each drawn in proportion to its weight."""

    def __init__(self, requests: tuple[Request, ...], values: Mapping[str, Values], seed: int):
        if not requests:
            raise ValueError("a mix needs at least one request")
        self.requests = requests
        self.values = values
        self.weights = [request.weight for request in requests]
        self.rng = random.Random(seed)

    def next(self) -> tuple[Request, str]:
        """The next request and its concrete path."""
        (request,) = self.rng.choices(self.requests, weights=self.weights)
        return request, self.path(request)

    def path(self, request: Request) -> str:
        return PLACEHOLDER.sub(lambda match: self.value(match.group(1)), request.path)

    def value(self, name: str) -> str:
        values = self.values[name]
        if values.low is not None and values.high is not None:
            return str(self.rng.randint(values.low, values.high))
        return self.rng.choice(values.listed)
