"""What a run of a target would do, in lines a reader can check before anything starts.

``perfproof target check`` prints it: the service and how it is started, the
arms and their order, the load and its models, the units and the budget, the
evidence declared, the data size, and each claim with what it needs. Every
environment value and command is shown with its secrets hidden
(``perfproof/targets/secrets.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from loadtests.plan import shares_of
from loadtests.profiles import LOAD_PROFILES
from loadtests.sequential import LOOKS
from loadtests.unit_timing import WARMUP_S, WINDOW_S, unit_seconds
from perfproof.targets.model import Target
from perfproof.targets.secrets import redact_env, redact_text, redact_url, secret_values
from perfproof.targets.target_claims import TARGET_SUITES, TargetClaim, claimed_of, model_of

NOTHING_STARTED = "nothing was started"  # the check's last line; a run leaves it out
# Closed units a run takes when a claim is judged in the closed model, per profile: a
# fixed number (the closed model is not sampled until a target), at least the profile's
# capacity runs.
CLOSED_UNITS_FOR_CLAIMS = {"quick": 3, "default": 5}
# Closed units a target's open-model rate rests on, all taken before its units: a target
# has no recheck after them and its rate does not follow closed runs between them (the
# portal's does: loadtests/capacity.py), so it takes about as many as the portal's rate
# comes to rest on over a whole run.
CAPACITY_UNITS = {"quick": 2, "default": 5}


def waits_of(target: Target) -> str:
    """How the closed model's users wait between tasks: a Locust file's users as written
    (their own wait_time), a declared mix not at all."""
    return "their own wait_time" if target.load.locustfile is not None else "no think time"


def closed_units(profile: str, claims: Sequence[TargetClaim]) -> int:
    """How many closed units (one window per arm each) a run at ``profile`` takes: the
    profile's capacity runs, more when a claim is judged in the closed model."""
    units = CAPACITY_UNITS.get(profile, LOAD_PROFILES[profile].capacity_runs)
    if any(TARGET_SUITES.get(claim.statistic) == "load" and model_of(claim.table) == "closed"
           for claim in claims):  # fmt: skip
        units = max(units, CLOSED_UNITS_FOR_CLAIMS.get(profile, units))
    return units


def plan_lines(target: Target, profile: str, claims: list[TargetClaim], *,
               budget_s: float | None = None, shares: tuple[float, ...] = (),
               rate: float | None = None) -> list[str]:  # fmt: skip
    """The plan of a run of ``target`` at the load profile ``profile``, with the open model's
    options a run was given (``--load-budget``, ``--load-rates``, ``--load-rate``)."""
    secrets = secrets_of(target)

    def hide(text: str) -> str:
        return redact_text(text, secrets)

    lines = [f"target {target.name} ({target.path})"]
    lines += _service_lines(target, hide)
    lines.append(
        f"arms ({len(target.arms)}): one window each in every paired unit, in random order"
    )
    for arm in target.arms:
        parts = [f"env {_env_text(arm.env, target)}" if arm.env else ""]
        parts += [f"before: {hide(c)}" for c in arm.before]
        parts += [f"after: {hide(c)}" for c in arm.after]
        parts += [f"switch: {hide(arm.switch)}" if arm.switch else ""]
        said = "; ".join(p for p in parts if p) or "the service as it is"
        lines.append(f"  {arm.name}: {said}" + (f" ({arm.note})" if arm.note else ""))
    restarts = [arm.name for arm in target.arms if arm.switch is None]
    if target.service.started and restarts:
        lines.append(f"  restarted for each window: {', '.join(restarts)} (no switch declared)")
    if rate is not None:
        at = f"{rate:g}/s, --load-rate"
    else:
        given = shares or (LOAD_PROFILES[profile].open_share,)
        share = shares_of(given, LOAD_PROFILES[profile].open_share)[0]
        at = ("half" if share == 0.5 else f"{share:g} of") + " the slowest arm's median capacity"
    lines += _load_lines(target, closed_units(profile, claims), at)
    lines += _unit_lines(target, profile, budget_s, shares, rate)
    lines += _evidence_lines(target, secrets)
    if target.benchmarks:
        files = ", ".join(str(path) for path in target.benchmarks)
        lines.append(f"benchmarks: {files}, once per arm in interleaved blocks")
    else:
        lines.append("benchmarks: not declared")
    lines.append(_size_line(target, hide))
    for check in target.checks:
        lines.append(f"check {check.name}: {hide(check.command)} (exit 0 = held)")
    if target.claims is None:
        lines.append("claims: not declared (the run measures; nothing is judged)")
    else:
        lines.append(f"claims: {target.claims} ({len(claims)})")
        for claim in claims:
            claimed = claimed_of(claim.table)
            said = f"; claimed {claimed.describe(percent=True)}" if claimed is not None else ""
            lines.append(f"  {claim.id}: {claim.said}{said}")
            if claim.missing:
                lines.append(f"    ! {claim.missing}")
    lines.append(NOTHING_STARTED)
    return [hide(line) for line in lines]  # every line, whatever printed it


def _unit_lines(target: Target, profile: str, budget_s: float | None, shares: tuple[float, ...],
                rate: float | None) -> list[str]:  # fmt: skip
    """The open model's units, budget and looks, and its offered rate or rates."""
    load_profile = LOAD_PROFILES[profile]
    lines: list[str] = []
    unit = unit_seconds(len(target.arms))
    budget = budget_s or load_profile.budget_s
    most = max(1, math.floor(budget / unit))
    looks = ", ".join(f"{look.fraction * 100:.0f} %" for look in LOOKS)
    source = "--load-budget" if budget_s else profile
    lines.append(
        f"units: {WARMUP_S:g} s warm-up + {WINDOW_S:g} s measured per arm, about {unit:g} s "
        f"each; budget {budget:g} s ({source}): at most {most} units, looks at {looks} of "
        "it, stopping when every load claim reaches its precision target"
        + (f" (at most {most}: too few for an interval that decides much; an interval needs "
           "two units, and the first look's level asks for more)" if most < 3 else "")
    )  # fmt: skip
    if rate is not None:
        lines.append(f"offered rate: {rate:g} tasks/s (--load-rate), not a share of capacity")
    elif len(shares) > 1:
        said = ", ".join(f"{share:g}" for share in shares)
        lines.append(f"offered rates: {said} of the slowest arm's capacity (--load-rates), "
                     f"each its own units and budget: up to {len(shares) * budget:g} s; the "
                     f"verdicts are at {load_profile.open_share:g}'s, or the first "
                     "listed")  # fmt: skip
    return lines


def secrets_of(target: Target) -> tuple[str, ...]:
    """Every secret value the target holds: marked or secret-looking env values, URL passwords."""
    found: set[str] = set()
    for env in (target.service.env, *(arm.env for arm in target.arms)):
        found.update(secret_values(env, target.secret))
    for url in (target.evidence.postgres_url, target.evidence.redis_url):
        if url:
            found.update(secret_values({"url": url}))
    return tuple(sorted(found, key=len, reverse=True))


def _env_text(env: Mapping[str, str], target: Target) -> str:
    shown = redact_env(env, target.secret)
    return ", ".join(f"{name}={value}" for name, value in shown.items())


def _service_lines(target: Target, hide: Callable[[str], str]) -> list[str]:
    service = target.service
    if service.command is None:
        assert service.url is not None
        return [
            f"service: {redact_url(service.url)}, run by someone else (not started, not "
            f"stopped); ready when {service.ready} answers 2xx, within "
            f"{service.ready_timeout_s:g} s",
        ]
    lines = [
        f"service: started by `{hide(service.command)}` in {service.cwd}, on a free port; "
        f"ready when {service.ready} answers 2xx, within {service.ready_timeout_s:g} s"
    ]
    if service.env:
        lines.append(f"  env: {_env_text(service.env, target)}")
    return lines


def _load_lines(target: Target, units: int, at: str) -> list[str]:
    load = target.load
    if load.locustfile is not None:
        lines = [f"load: your Locust file {load.locustfile}, unchanged"]
    else:
        total = sum(request.weight for request in load.requests)
        mix = ", ".join(
            f"{request.name} {request.weight / total * 100:.0f} %" for request in load.requests
        )
        lines = [f"load: a declared mix of {len(load.requests)} requests: {mix}"]
    users = "the profile's" if load.users is None else str(load.users)
    closed = f"{units} closed units" if units > 1 else "one closed window per arm"
    lines.append(
        f"models: closed ({closed}, {users} users as written, {waits_of(target)}, arms in random "
        'order) for each arm\'s capacity and the claims with models = ["closed"]; open (tasks '
        f"started at a fixed rate, {at}, latency from each "
        "task's intended start) for the other load claims"
    )
    return lines


def _evidence_lines(target: Target, secrets: tuple[str, ...]) -> list[str]:
    evidence = target.evidence
    said = []
    if evidence.postgres_url:
        said.append(f"PostgreSQL {redact_url(evidence.postgres_url)} (pg_stat_statements: "
                    "statements, rows and time per request)")  # fmt: skip
    if evidence.redis_url:
        said.append(f"Redis {redact_url(evidence.redis_url)} (keyspace hits and misses)")
    if evidence.hit_header:
        said.append(f"the {evidence.hit_header} response header (HIT or MISS)")
    if evidence.process_tree:
        said.append("the service's process tree (CPU, memory)")
    if not said:
        return ["evidence: none declared beyond what the load generator sees"]
    return [f"evidence: {redact_text(s, secrets)}" for s in said]


def _size_line(target: Target, hide: Callable[[str], str]) -> str:
    size = target.data_size
    if size is None:
        return "data size: not declared (the verdicts will not say what size they hold for)"
    if size.rows is not None:
        return f"data size: {size.rows:,} {size.of}, as declared"
    how = f"`{hide(size.command)}`" if size.command else f"SQL `{hide(size.sql or '')}`"
    return f"data size: {size.of} as {how} reports it during the run"
