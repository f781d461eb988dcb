"""What the run was and what went wrong in it: the report's header, its warnings, its environment.

A sceptical reader first asks whether the numbers can be trusted at all:
did the run finish, did every step exit cleanly, which suites were left
out, which comparisons did the validity guard throw away, on what machine
and with which server settings. This module answers those from the
manifests alone, before any claim is shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.manifest import Machine, Manifest
from reports.page.blocks import Block, Table
from reports.page.formatting import duration, number, text, when
from reports.run_folder import RunFolder
from reports.verdicts import Verdict

SUITES = ("queries", "endpoints", "load")


def run_facts(run: RunFolder) -> list[tuple[str, str]]:
    manifest = run.manifest
    commit = manifest.git_commit or (run.load_manifest and run.load_manifest.git_commit)
    finished = "yes" if run.finished else f"NO: {run.unfinished_reason}"
    return [
        ("run", run.name),
        ("profile", text(manifest.profile)),
        ("data scale", text(manifest.scales)),
        ("growth scales", text(manifest.growth_scales or "none")),
        ("suites", text(manifest.suites)),
        ("started", when(manifest.started_at)),
        ("ended", when(manifest.ended_at)),
        ("commit", str(commit) if commit else "not recorded"),
        ("finished", finished),
    ]


def problems(run: RunFolder, verdicts: Sequence[Verdict]) -> list[str]:
    """Everything that limits what this run can show, in plain sentences."""
    found = [*_run_problems(run), *_load_problems(run)]
    if run.checks is None:
        found.append("The functional checks did not run (no checks.json).")
    return found + _no_evidence(verdicts) + _disagreeing(verdicts)


def _disagreeing(verdicts: Sequence[Verdict]) -> list[str]:
    """A claim whose second witness counted something else is a finding, not a footnote."""
    return [
        f"{v.id}: its witnesses disagree beyond both intervals "
        f"({', '.join(v.details['witnesses_disagree'])} against the verdict's): one of them "
        "counts something the other does not (see the claim's evidence)"
        for v in verdicts
        if v.details.get("witnesses_disagree")
    ]


def _no_evidence(verdicts: Sequence[Verdict]) -> list[str]:
    """One line per reason: an interrupted run should not list the same sentence 22 times."""
    by_reason: dict[str, list[str]] = {}
    for verdict in verdicts:
        if verdict.verdict == "no evidence":
            reason = verdict.reason.removeprefix("no evidence: ")
            by_reason.setdefault(reason, []).append(verdict.id)
    return [
        f"{ids[0]}, no evidence: {reason}"
        if len(ids) == 1
        else f"{len(ids)} claims, no evidence: {reason} ({', '.join(ids)})"
        for reason, ids in by_reason.items()
    ]


def _run_problems(run: RunFolder) -> list[str]:
    """The run's own: unfinished, an error, a step that failed, a suite left out."""
    manifest = run.manifest
    found: list[str] = []
    if not run.finished:
        found.append(
            f"The run is not finished: {run.unfinished_reason}. Every measured claim is "
            "therefore 'no evidence'."
        )
    if manifest.error:
        found.append(f"Error: {manifest.error}")
    for step in manifest.steps or []:
        if step.interrupted:
            found.append(f"Step {step.name} was interrupted.")
        elif step.pytest_exit_code not in (0, None):
            found.append(f"Step {step.name} exited with code {step.pytest_exit_code}.")
    ran = set(manifest.suites or [])
    for suite in SUITES:
        if ran and suite not in ran:
            found.append(f"Suite {suite} was not run (not in this run's --suite or profile).")
    return found


def _load_problems(run: RunFolder) -> list[str]:
    """The load test's: skipped, unfinished, comparisons the validity guard threw out."""
    found: list[str] = []
    if run.manifest.load_tests:
        found.append(f"Load tests: {run.manifest.load_tests}")
    if run.load_manifest is not None and not run.load_manifest.finished:
        found.append("The load test run did not finish.")
    for comparison in (run.validity or {}).get("comparisons", []):
        if not comparison.get("valid", True):
            found.append(
                f"Invalid load comparison, {comparison.get('model')} model, repetition "
                f"{comparison.get('repetition')}: {text(comparison.get('problems'))}"
            )
    return found


def environment_blocks(run: RunFolder) -> list[Block]:
    manifest = run.manifest
    machine = manifest.machine or Machine()
    versions = manifest.versions or {}
    block = Block(title="Machine and software")
    block.facts += [
        ("host", text(machine.hostname)),
        ("platform", text(machine.platform)),
        ("CPUs", number(machine.cpus)),
        ("memory", f"{number(machine.memory_gib)} GiB"),
        ("PostgreSQL", text(manifest.postgres)),
        ("Redis", text(manifest.redis)),
    ]
    block.tables.append(
        Table("Versions", ["package", "version"], [[name, text(v)] for name, v in versions.items()])
    )
    servers = Block(title="Server settings (read from the servers during the load test)")
    environment = (run.load_manifest and run.load_manifest.environment) or {}
    if environment:
        servers.tables.append(
            Table("Settings", ["setting", "value"], [[k, text(v)] for k, v in environment.items()])
        )
    else:
        servers.missing.append(
            "Server settings: recorded by the load test only, which did not run."
        )
    return [block, servers, _settings_block(manifest)]


def _settings_block(manifest: Manifest) -> Block:
    block = Block(title="Run settings")
    rounds = manifest.rounds or {}
    arms = manifest.arms or {}
    if isinstance(arms, list):  # a load-test run's manifest lists its arms
        arms = {"load": arms}
    block.facts.append(("seed", text(manifest.seed)))
    if rounds:
        block.facts.append(
            (
                "rounds",
                f"budget {number(rounds.get('budget_s'))} s per arm and block, "
                f"{number(rounds.get('min_rounds_per_block'))} to "
                f"{number(rounds.get('max_rounds_per_block'))} rounds per block after "
                f"{number(rounds.get('warmup_rounds_per_block'))} warm-up",
            )
        )
    for key, label in (
        ("index_blocks", "index blocks (interleaved)"),
        ("endpoints", "endpoint arms"),
        ("load", "load arms"),
    ):
        if arms.get(key):
            block.facts.append((label, text(arms[key])))
    command = " ".join(str(part) for part in (manifest.command or []))
    block.facts.append(("command", command or "—"))
    rows = manifest.dataset_rows or {}
    if rows:
        tables = sorted({table for counts in rows.values() for table in counts})
        block.tables.append(
            Table(
                "Rows per table and scale",
                ["table", *rows],
                [[t, *(number(rows[s].get(t)) for s in rows)] for t in tables],
            )
        )
    steps = Table("Steps", ["step", "scale", "suites", "wall time", "exit code"], [])
    for step in manifest.steps or []:
        steps.rows.append(
            [
                text(step.name),
                text(step.scale),
                text(step.suites),
                duration(step.seconds),
                text(step.pytest_exit_code),
            ]
        )
    block.tables.append(steps)
    return block
