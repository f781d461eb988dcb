"""What a target file declares, as data: the service, its arms, load, evidence and claims.

Read and checked by ``perfproof/targets/target_file.py``; the format is
``docs/targets.md``.
"""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# A placeholder in a declared request's path: /items/{id}
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def with_python(command: str) -> str:
    """``{python}`` in a command: the interpreter perfproof runs under, so an example's
    ``{python} seed.py`` finds the packages installed beside perfproof without an
    activated virtualenv (a team's own commands may name their interpreter instead)."""
    return command.replace("{python}", shlex.quote(sys.executable))


class TargetError(ValueError):
    """A target file that cannot be used; the message is the one line to show."""


@dataclass(frozen=True)
class Service:
    """How the service runs: started by perfproof (``command``) or run by someone else (``url``)."""

    command: str | None  # holds {port}; run by a shell in ``cwd``
    url: str | None  # http(s)://host:port of a service perfproof does not start
    cwd: Path
    env: Mapping[str, str]
    ready: str  # a path on the service (or a whole URL) that answers 2xx once it is up
    ready_timeout_s: float

    @property
    def started(self) -> bool:
        return self.command is not None


@dataclass(frozen=True)
class Arm:
    """One state of the service to compare: its environment, and commands around it."""

    name: str
    env: Mapping[str, str]
    before: tuple[str, ...]  # run (by a shell, in the service's folder) before it starts
    after: tuple[str, ...]  # run after it stops
    switch: str | None  # a command that puts the running service in this arm, no restart
    note: str = ""


@dataclass(frozen=True)
class Values:
    """What a path placeholder takes: listed values, or the integers of a range."""

    listed: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None  # inclusive

    @property
    def count(self) -> int:
        if self.low is not None and self.high is not None:
            return self.high - self.low + 1
        return len(self.listed)


@dataclass(frozen=True)
class Request:
    """One request of a declared mix, for a team without a Locust file of its own."""

    name: str
    method: str
    path: str  # a template: {name} placeholders take values from [load.values]
    weight: int
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Load:
    """The team's own Locust file, unchanged, or a declared request mix."""

    locustfile: Path | None
    requests: tuple[Request, ...]
    values: Mapping[str, Values]
    users: int | None  # closed model: simulated users (None: the profile's)


@dataclass(frozen=True)
class Evidence:
    """What the service's own parts can testify, beside what the load generator saw."""

    postgres_url: str | None = None  # statements per request from pg_stat_statements
    redis_url: str | None = None  # keyspace hits and misses from INFO
    hit_header: str | None = None  # a response header saying HIT or MISS
    process_tree: bool = False  # the service's processes: CPU and memory


@dataclass(frozen=True)
class DataSize:
    """The data size the claims hold for: a number, or what reports it during the run."""

    rows: int | None = None
    command: str | None = None  # prints a whole number
    sql: str | None = None  # one value, run on evidence.postgres_url
    of: str = "rows"  # what is counted, for the verdicts: "orders", "rows of items"


@dataclass(frozen=True)
class Check:
    """A functional promise: a command run against the started service, exit 0 = held."""

    name: str
    command: str  # {url}: the service's base URL
    note: str = ""


@dataclass(frozen=True)
class Target:
    path: Path
    name: str
    service: Service
    arms: tuple[Arm, ...]
    load: Load
    evidence: Evidence
    benchmarks: tuple[Path, ...]
    data_size: DataSize | None
    claims: Path | None
    checks: tuple[Check, ...] = ()
    secret: frozenset[str] = field(default_factory=frozenset)

    def arm(self, name: str) -> Arm | None:
        return next((arm for arm in self.arms if arm.name == name), None)

    @property
    def request_names(self) -> tuple[str, ...]:
        return tuple(request.name for request in self.load.requests)
