"""A target file: one team's service, its arms, its load, its evidence and its claims.

Read whole and checked key by key before anything starts: a bad file is
refused with one line naming the file, the key and the problem
(:class:`TargetError`), as a bad claims file is. Paths in the file are
relative to the file's own folder. The format, with a complete example, is
``docs/targets.md``; ``perfproof target check FILE`` reads it and prints the
plan without starting anything.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from perfproof.targets import keys as k
from perfproof.targets.model import (
    PLACEHOLDER,
    Arm,
    Check,
    DataSize,
    Evidence,
    Load,
    Request,
    Service,
    Target,
    TargetError,
    Values,
)
from reports.toml_files import read_toml

__all__ = ["DEFAULT_READY_TIMEOUT_S", "TargetError", "load_target"]

DEFAULT_READY_TIMEOUT_S = 60.0
MOST_USERS = 10_000  # closed model, per run: more is a typo on a machine that runs perfproof
MOST_WEIGHT = 1_000_000
TARGET_NAME = re.compile(r"^[^\x00-\x1f/\\]{1,64}$")  # it names the run folder: one line, no /
ARM_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
REQUEST_NAME = re.compile(r"^[^\x00-\x1f]{1,120}$")  # any printable text, as Locust names
HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,64}$")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


TOP_KEYS = ("name", "claims", "secret", "service", "arms", "load", "evidence", "benchmarks",
            "data_size", "checks")  # fmt: skip


def load_target(path: Path) -> Target:
    """The target of ``path``, every key checked; :class:`TargetError` on the first problem."""
    document = read_toml(path, what="target file", refuse=TargetError)
    try:
        return _target(path, k.expand(document, os.environ))
    except k.Problem as problem:
        raise TargetError(f"{path}: {problem.key}: {problem.text}") from None


def _target(path: Path, document: Mapping[str, Any]) -> Target:
    k.known(document, TOP_KEYS, "")
    folder = path.parent  # as the user named it: paths in messages read as they wrote them
    name = k.text(document, "name", "", required=True)
    if not TARGET_NAME.match(name) or name.strip() in (".", ".."):
        raise k.Problem("name", "at most 64 characters on one line, without / or \\: it names "
                       "the run folder")  # fmt: skip
    service = _service(k.table(document, "service", "", required=True), folder)
    arms = _arms(document.get("arms"), service)
    load = _load(k.table(document, "load", "", required=True), folder)
    evidence = _evidence(k.table(document, "evidence", ""), service)
    benchmarks = _benchmarks(k.table(document, "benchmarks", ""), folder)
    data_size = _data_size(document.get("data_size"), evidence)
    claims = document.get("claims")
    claims_path = None if claims is None else k.file(claims, "claims", folder)
    secret = k.names(document.get("secret", []), "secret")
    checks = _checks(document.get("checks", []))
    return Target(path, name, service, arms, load, evidence, benchmarks, data_size, claims_path,
                  checks, frozenset(secret))  # fmt: skip


def _service(table: Mapping[str, Any], folder: Path) -> Service:
    prefix = "service"
    k.known(table, ("command", "url", "cwd", "env", "ready", "ready_timeout_s"), prefix)
    command = k.text(table, "command", prefix) or None
    url = k.text(table, "url", prefix) or None
    if (command is None) == (url is None):
        raise k.Problem(prefix, "give either command (perfproof starts the service) or url "
                       "(someone else runs it), exactly one")  # fmt: skip
    if command is not None and "{port}" not in command:
        raise k.Problem("service.command", "must hold {port}: perfproof picks a free port for "
                       "each start")  # fmt: skip
    if url is not None:
        k.url(url, "service.url", ("http", "https"))
        for key in ("cwd", "env"):
            if key in table:
                raise k.Problem(f"service.{key}", "only for a service perfproof starts (command)")
    cwd = (folder / k.text(table, "cwd", prefix)).resolve() if "cwd" in table else folder
    if not cwd.is_dir():
        raise k.Problem("service.cwd", f"no such folder: {cwd}")
    ready = k.text(table, "ready", prefix) or "/"
    if ready.startswith(("http://", "https://")):
        k.url(ready, "service.ready", ("http", "https"))
    elif not ready.startswith("/"):
        raise k.Problem("service.ready", "must be a path on the service (/health) or a whole URL")
    timeout = k.positive(table, "ready_timeout_s", prefix, DEFAULT_READY_TIMEOUT_S)
    return Service(command, url, cwd, k.env(table, prefix), ready, timeout)


def _arms(value: Any, service: Service) -> tuple[Arm, ...]:
    if not isinstance(value, list) or len(value) < 2:
        raise k.Problem("arms", "give at least two [[arms]]: a claim compares two states")
    arms: list[Arm] = []
    for number, table in enumerate(value, start=1):
        prefix = f"arms[{number}]"
        if not isinstance(table, dict):
            raise k.Problem(prefix, "each [[arms]] entry must be a table")
        k.known(table, ("name", "env", "before", "after", "switch", "note"), prefix)
        name = k.text(table, "name", prefix, required=True)
        if not ARM_NAME.match(name):
            raise k.Problem(f"{prefix}.name", f"{name!r}: lower-case letters, digits and '-', "
                           "at most 40")  # fmt: skip
        if any(arm.name == name for arm in arms):
            raise k.Problem(f"{prefix}.name", f"{name!r} is used by an earlier arm")
        env = k.env(table, prefix)
        if env and not service.started:
            raise k.Problem(f"{prefix}.env", "the service is given by url, so perfproof "
                           "cannot restart it with an environment: use before/after or "
                           "switch")  # fmt: skip
        arms.append(Arm(name, env, k.commands(table, "before", prefix),
                        k.commands(table, "after", prefix), k.text(table, "switch", prefix) or None,
                        k.text(table, "note", prefix)))  # fmt: skip
    if not service.started and len({(a.before, a.after, a.switch) for a in arms}) < len(arms):
        raise k.Problem("arms", "the service is given by url: each arm needs its own before, "
                       "after or switch commands, or the arms are the same service")  # fmt: skip
    return tuple(arms)


def _load(table: Mapping[str, Any], folder: Path) -> Load:
    prefix = "load"
    k.known(table, ("locustfile", "requests", "values", "users"), prefix)
    if ("locustfile" in table) == ("requests" in table):
        raise k.Problem(prefix, "give either locustfile (your own, unchanged) or [[load.requests]] "
                       "(a declared mix), exactly one")  # fmt: skip
    users = table.get("users")
    if users is not None and (
        isinstance(users, bool) or not isinstance(users, int) or not 1 <= users <= MOST_USERS
    ):
        raise k.Problem(
            "load.users", f"must be a whole number from 1 to {MOST_USERS:,}, not {k.kind(users)}"
        )
    if "locustfile" in table:
        if "values" in table:
            raise k.Problem("load.values", "only for [[load.requests]]: a Locust file draws its "
                           "own values")  # fmt: skip
        return Load(k.file(table["locustfile"], "load.locustfile", folder), (), {}, users)
    values = _values(k.table(table, "values", prefix))
    return Load(None, _requests(table["requests"], values), values, users)


def _values(table: Mapping[str, Any]) -> dict[str, Values]:
    found: dict[str, Values] = {}
    for name, value in table.items():
        key = f"load.values.{name}"
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value)
        ):
            found[name] = Values(listed=tuple(str(v) for v in value))
        elif isinstance(value, dict) and set(value) == {"range"}:
            bounds = value["range"]
            if (not isinstance(bounds, list) or len(bounds) != 2
                    or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)
                    or bounds[0] > bounds[1]):  # fmt: skip
                raise k.Problem(key, "range must be [low, high], whole numbers, low <= high")
            found[name] = Values(low=bounds[0], high=bounds[1])
        else:
            raise k.Problem(key, "must be a non-empty list of values or { range = [low, high] }")
    return found


def _requests(value: Any, values: Mapping[str, Values]) -> tuple[Request, ...]:
    if not isinstance(value, list) or not value:
        raise k.Problem("load.requests", "must be one or more [[load.requests]] tables")
    requests: list[Request] = []
    for number, table in enumerate(value, start=1):
        request = _request(table, f"load.requests[{number}]", values)
        if any(earlier.name == request.name for earlier in requests):
            raise k.Problem(f"load.requests[{number}].name",
                           f"{request.name!r} is used by an earlier request")  # fmt: skip
        requests.append(request)
    return tuple(requests)


def _request(table: Any, prefix: str, values: Mapping[str, Values]) -> Request:
    if not isinstance(table, dict):
        raise k.Problem(prefix, "each [[load.requests]] entry must be a table")
    k.known(table, ("name", "method", "path", "weight", "headers"), prefix)
    path = k.text(table, "path", prefix, required=True)
    if not path.startswith("/"):
        raise k.Problem(f"{prefix}.path", "must start with / (load goes only to the service)")
    for placeholder in PLACEHOLDER.findall(path):
        if placeholder not in values:
            raise k.Problem(f"{prefix}.path", f"{{{placeholder}}} has no [load.values] entry")
    if "{" in PLACEHOLDER.sub("", path) or "}" in PLACEHOLDER.sub("", path):
        raise k.Problem(f"{prefix}.path", "a { or } that is no {placeholder}: placeholders are "
                       "{name}, letters, digits and _")  # fmt: skip
    method = (k.text(table, "method", prefix) or "GET").upper()
    if method not in METHODS:
        raise k.Problem(f"{prefix}.method", f"{method!r} (known: {', '.join(METHODS)})")
    name = k.text(table, "name", prefix) or f"{method} {path}"
    if not REQUEST_NAME.match(name):
        raise k.Problem(f"{prefix}.name", f"{name!r}: at most 120 printable characters")
    weight = table.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= MOST_WEIGHT:
        raise k.Problem(
            f"{prefix}.weight",
            f"must be a whole number from 1 to {MOST_WEIGHT:,}, not {k.kind(weight)}",
        )
    headers = table.get("headers", {})
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and HEADER_NAME.match(k) and isinstance(v, str)
        for k, v in headers.items()
    ):
        raise k.Problem(f"{prefix}.headers", 'must be a table of Header-Name = "value"')
    return Request(name, method, path, weight, dict(headers))


def _evidence(table: Mapping[str, Any], service: Service) -> Evidence:
    prefix = "evidence"
    k.known(table, ("postgres_url", "redis_url", "hit_header", "process_tree"), prefix)
    postgres = k.text(table, "postgres_url", prefix) or None
    if postgres is not None:
        k.url(postgres, "evidence.postgres_url", ("postgresql", "postgres"))
    redis = k.text(table, "redis_url", prefix) or None
    if redis is not None:
        k.url(redis, "evidence.redis_url", ("redis", "rediss", "unix"))
    header = k.text(table, "hit_header", prefix) or None
    if header is not None and not HEADER_NAME.match(header):
        raise k.Problem("evidence.hit_header", f"{header!r} is not a header name")
    tree = table.get("process_tree", service.started)
    if not isinstance(tree, bool):
        raise k.Problem("evidence.process_tree", f"must be true or false, not {k.kind(tree)}")
    if tree and not service.started:
        raise k.Problem("evidence.process_tree", "only for a service perfproof starts: it "
                       "cannot see the processes behind a url")  # fmt: skip
    return Evidence(postgres, redis, header, tree)


def _benchmarks(table: Mapping[str, Any], folder: Path) -> tuple[Path, ...]:
    k.known(table, ("files",), "benchmarks")
    files = table.get("files", [])
    if not isinstance(files, list):
        raise k.Problem("benchmarks.files", "must be a list of pytest-benchmark files")
    return tuple(k.file(f, f"benchmarks.files[{n}]", folder) for n, f in enumerate(files, 1))


def _data_size(value: Any, evidence: Evidence) -> DataSize | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise k.Problem("data_size", "must be a table: rows, command or sql, and of")
    k.known(value, ("rows", "command", "sql", "of"), "data_size")
    given = [key for key in ("rows", "command", "sql") if key in value]
    if len(given) != 1:
        raise k.Problem("data_size", "give exactly one of rows (a number), command or sql")
    of = k.text(value, "of", "data_size") or "rows"
    rows = value.get("rows")
    if rows is not None:
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
            raise k.Problem("data_size.rows", f"must be a whole number, not {k.kind(rows)}")
        return DataSize(rows=rows, of=of)
    if "sql" in value and evidence.postgres_url is None:
        raise k.Problem("data_size.sql", "needs evidence.postgres_url, the database it runs on")
    return DataSize(command=k.text(value, "command", "data_size") or None,
                    sql=k.text(value, "sql", "data_size") or None, of=of)  # fmt: skip


def _checks(value: Any) -> tuple[Check, ...]:
    if not isinstance(value, list):
        raise k.Problem("checks", "must be [[checks]] tables: name and command")
    checks: list[Check] = []
    for number, table in enumerate(value, start=1):
        prefix = f"checks[{number}]"
        if not isinstance(table, dict):
            raise k.Problem(prefix, "each [[checks]] entry must be a table")
        k.known(table, ("name", "command", "note"), prefix)
        name = k.text(table, "name", prefix, required=True)
        if not ARM_NAME.match(name):
            raise k.Problem(f"{prefix}.name", f"{name!r}: lower-case letters, digits and '-'")
        if any(check.name == name for check in checks):
            raise k.Problem(f"{prefix}.name", f"{name!r} is used by an earlier check")
        checks.append(Check(name, k.text(table, "command", prefix, required=True),
                            k.text(table, "note", prefix)))  # fmt: skip
    return tuple(checks)
