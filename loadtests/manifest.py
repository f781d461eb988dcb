"""What the manifest of a ``perfproof loadtest`` run says: its settings, servers and runs.

The settings are written before the first run starts (with the runs it plans);
an entry per run is added as each one finishes, so a run stopped half-way
still says what it did.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import psycopg

from loadtests.arm_run import ArmRun
from loadtests.arms import rotated
from loadtests.guard import run_problems
from loadtests.plan import Plan
from loadtests.watch import Watched
from portal.devstack import Services


def settings_of(
    args: argparse.Namespace,
    plan: Plan,
    stack: Services,
    database_url: str,
    rows: dict[str, int],
    watched: Sequence[Watched] = (),
) -> dict[str, Any]:
    """What the manifest says about the run before it starts."""
    return {
        "kind": "loadtest",
        "profile": plan.profile.name,
        "scales": [args.scale],
        "seed": args.seed,
        "arms": [arm.name for arm in plan.arms],
        "models": list(plan.models),
        "repetitions": plan.repetitions,
        "warmup_s": plan.warmup_s,
        "duration_s": plan.duration_s,
        "users": plan.users,
        "generator_processes": plan.processes,
        "portal_workers": plan.workers,
        "postgres": stack.postgres_description,
        "redis": stack.redis_description,
        "dataset_rows": {args.scale: rows},
        "environment": _environment(database_url, stack.redis_url),
        # What was meant to run; "runs" lists what finished. The open model's paired
        # units are as many as the budget or the precision targets allow.
        "planned": [
            f"closed-{arm.name}-{repetition}"
            for repetition in range(plan.repetitions)
            for arm in rotated(plan.arms, repetition)
            if "closed" in plan.models
        ],
        "load_budget_s": plan.budget_s,
        "watched": [{"id": w.id, "half_width": w.half_width} for w in watched],
        "runs": [],
    }


def _environment(database_url: str, redis_url: str) -> dict[str, Any]:
    """The server settings that matter for these figures."""
    found: dict[str, Any] = {}
    with psycopg.connect(database_url) as conn:
        for setting in ("server_version", "shared_buffers", "work_mem", "max_connections",
                        "effective_cache_size", "shared_preload_libraries"):  # fmt: skip
            row = conn.execute(f"SHOW {setting}").fetchone()
            found[f"postgres_{setting}"] = row[0] if row else None
    import redis

    with redis.Redis.from_url(redis_url, socket_timeout=5) as client:
        info = client.info()
        found["redis_version"] = info.get("redis_version")
        found["redis_maxmemory"] = info.get("maxmemory")
        found["redis_maxmemory_policy"] = info.get("maxmemory_policy")
    return found


def run_entry(run: ArmRun) -> dict[str, Any]:
    facts = run.facts()
    return {
        "name": run.name,
        "arm": run.arm.name,
        "model": run.model,
        "repetition": run.repetition,
        "offered_rps": run.offered_rps,
        "achieved_rps": round(facts.achieved_rps, 2),
        "requests": facts.requests,
        "cpu": run.cpu,
        "problems": run_problems(facts),
    }
