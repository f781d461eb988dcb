"""``perfproof target check``: the plan printed as ``docs/targets.md`` shows it, secrets
hidden, nothing started; a bad file is one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from perfproof.targets.plan import plan_lines
from perfproof.targets.secrets import HIDDEN, redact_env, redact_text, redact_url, secret_values
from perfproof.targets.target_claims import check_claims
from perfproof.targets.target_file import load_target
from tests.perfproof.targets.conftest import doc_blocks


def _documented_output() -> list[str]:
    (printed,) = [b for b in doc_blocks("") if b.startswith("target shop")]
    return printed.splitlines()


def test_the_plan_is_the_one_the_docs_show(shop: Path) -> None:
    target = load_target(shop)
    lines = plan_lines(target, "default", check_claims(target))
    folder = str(shop.parent)
    shown = [
        line.replace(folder, "/…/shop").replace("/…/shop/target.toml", "shop/target.toml")
        for line in lines
    ]
    assert shown == _documented_output()


def test_no_secret_reaches_the_plan(shop: Path) -> None:
    target = load_target(shop)
    text = "\n".join(plan_lines(target, "quick", check_claims(target)))
    assert "s3cret" not in text
    assert "SHOP_DB=***" in text and "shop:***@127.0.0.1" in text


LEAKY = """
name = "leaky"
secret = ["PIN"]
[service]
command = "APP_DB=postgresql://app:hunter22@db/app ./serve --port {port} --pin 42"
ready = "http://admin:adminpw99@127.0.0.1:9000/health"
env = { PIN = "42", SHOP_APIKEY = "sk_live_abcdef", DB_DSN = "host=db password=dsnpass77" }
[[arms]]
name = "a"
before = "PGPASSWORD=pgpw4242 psql -h db -c 'select 1'"
switch = "curl -u admin:chkpw321 -H 'Authorization: Bearer tok_abc123' http://x/on"
[[arms]]
name = "b"
[load]
[[load.requests]]
path = "/"
[[checks]]
name = "up"
command = "curl -fsS 'http://x/?api_key=qwerty999'"
"""


def test_no_secret_of_any_shape_is_printed(tmp_path: Path) -> None:
    path = tmp_path / "target.toml"
    path.write_text(LEAKY)
    target = load_target(path)
    text = "\n".join(plan_lines(target, "quick", check_claims(target)))
    for secret in ("hunter22", "adminpw99", "sk_live_abcdef", "dsnpass77", "pgpw4242",
                   "chkpw321", "tok_abc123", "qwerty999", " 42"):  # fmt: skip
        assert secret not in text, secret


def test_a_bad_value_is_described_never_repeated(tmp_path: Path) -> None:
    path = tmp_path / "target.toml"
    env_line = next(line for line in LEAKY.splitlines() if line.startswith("env = "))
    path.write_text(LEAKY.replace(env_line, 'env = "SECRET=hunter22"'))
    done = _perfproof("target", "check", str(path))
    assert done.returncode == 2 and "hunter22" not in done.stderr
    assert "service.env: must be a table" in done.stderr and "not a string" in done.stderr


def test_secrets_are_marked_names_secret_looking_names_and_url_passwords() -> None:
    env = {"API_TOKEN": "t0ken", "DB": "postgresql://u:pw1@h/d", "MODE": "fast", "X": "abc"}
    assert redact_env(env, ["X"]) == {"API_TOKEN": HIDDEN, "DB": "postgresql://u:***@h/d",
                                      "MODE": "fast", "X": HIDDEN}  # fmt: skip
    assert set(secret_values(env, ["X"])) == {"t0ken", "pw1", "abc"}
    assert redact_text("psql postgresql://u:pw1@h/d -c 'x'", ["pw1"]) == (
        "psql postgresql://u:***@h/d -c 'x'"
    )
    assert redact_url("redis://127.0.0.1:6379/1") == "redis://127.0.0.1:6379/1"


def _perfproof(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "perfproof", *args], capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_check_prints_the_plan_and_exits_0(shop: Path) -> None:
    done = _perfproof("target", "check", str(shop), "--profile", "quick")
    assert done.returncode == 0, done.stderr
    assert "budget 90 s (quick)" in done.stdout
    assert done.stdout.rstrip().endswith("nothing was started")


def test_a_bad_file_is_one_line_on_stderr_and_exit_2(shop: Path) -> None:
    shop.write_text(shop.read_text().replace("{port}", "8000"))
    done = _perfproof("target", "check", str(shop))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"{shop}: service.command: must hold {{port}}" in done.stderr
    assert done.stdout == ""


def test_a_runs_budget_and_rates_are_the_plans(shop: Path) -> None:
    target = load_target(shop)
    lines = plan_lines(target, "quick", check_claims(target), budget_s=40.0,
                       shares=(0.25, 0.5, 0.75))  # fmt: skip
    (units,) = [line for line in lines if line.startswith("units: ")]
    assert "budget 40 s (--load-budget)" in units and "too few" not in units
    (small,) = [line for line in plan_lines(target, "quick", [], budget_s=20.0)
                if line.startswith("units: ")]  # fmt: skip
    assert "too few for an interval that decides much" in small
    (rates,) = [line for line in lines if line.startswith("offered rates: ")]
    assert "0.25, 0.5, 0.75 of the slowest arm's capacity" in rates and "up to 120 s" in rates
    pinned = plan_lines(target, "quick", check_claims(target), rate=12.5)
    assert "offered rate: 12.5 tasks/s (--load-rate), not a share of capacity" in pinned
