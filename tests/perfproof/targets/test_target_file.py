"""A target file is read whole and checked key by key: the documented example, and each
way a file can be wrong, refused in one line naming the file, the key and the problem."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from perfproof.targets.target_file import DEFAULT_READY_TIMEOUT_S, TargetError, load_target
from tests.perfproof.targets.conftest import doc_blocks


def test_the_documented_example_reads_as_documented(shop: Path) -> None:
    target = load_target(shop)
    assert target.name == "shop"
    assert target.service.command is not None and "{port}" in target.service.command
    assert target.service.ready == "/health" and target.service.ready_timeout_s == 30
    assert [arm.name for arm in target.arms] == ["indexed", "no-index", "no-cache"]
    assert target.arm("no-cache") is not None
    assert target.arm("no-cache").env == {"SHOP_CACHE": "off"}  # type: ignore[union-attr]
    assert target.load.locustfile == shop.parent / "locustfile.py"
    assert target.load.users == 16
    assert target.evidence.hit_header == "X-Cache-Status" and target.evidence.process_tree
    assert target.data_size is not None and target.data_size.of == "items"
    assert target.claims == shop.parent / "claims.toml"
    assert [check.name for check in target.checks] == ["search-answers"]
    assert target.secret == {"SHOP_DB"}


def test_the_documented_request_mix_reads_too(shop: Path) -> None:
    text = shop.read_text()
    load = re.search(r"\[load\]\n.*?(?=\n\[evidence\])", text, flags=re.S)
    assert load is not None
    shop.write_text(text.replace(load.group(0), doc_blocks("toml")[2].strip()))
    target = load_target(shop)
    assert target.load.locustfile is None
    assert target.request_names == ("search", "item")
    assert [r.weight for r in target.load.requests] == [3, 1]
    assert target.load.values["id"].count == 5000
    assert target.load.values["term"].listed == ("lamp", "chair", "desk")


def test_a_service_run_by_someone_else_takes_a_url_and_defaults(tmp_path: Path) -> None:
    path = tmp_path / "target.toml"
    path.write_text(MINIMAL)
    target = load_target(path)
    assert target.service.url == "http://127.0.0.1:8080" and not target.service.started
    assert target.service.ready == "/" and target.service.ready_timeout_s == DEFAULT_READY_TIMEOUT_S
    assert not target.evidence.process_tree  # perfproof cannot see a url's processes
    assert target.claims is None and target.data_size is None


MINIMAL = """
name = "api"
[service]
url = "http://127.0.0.1:8080"
[[arms]]
name = "old"
switch = "curl -X POST http://127.0.0.1:8080/flags/new/off"
[[arms]]
name = "new"
switch = "curl -X POST http://127.0.0.1:8080/flags/new/on"
[load]
[[load.requests]]
path = "/search?q={q}"
[load.values]
q = ["a", "b"]
"""

Edit = Callable[[str], str]


def _replace(old: str, new: str) -> Edit:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


# (edit of the documented example, the key the error names, words of the problem)
BAD: list[tuple[str, Edit, str, str]] = [
    ("unknown top key", _replace('name = "shop"', 'name = "shop"\nnmae = "x"'), "nmae",
     "unknown key"),
    ("no {port}", _replace("127.0.0.1:{port} shop:app", "127.0.0.1:8000 shop:app"),
     "service.command", "must hold {port}"),
    ("command and url", _replace('cwd = "."', 'cwd = "."\nurl = "http://x:1"'), "service",
     "exactly one"),
    ("a missing folder", _replace('cwd = "."', 'cwd = "nowhere"'), "service.cwd",
     "no such folder"),
    ("a timeout of zero", _replace("ready_timeout_s = 30", "ready_timeout_s = 0"),
     "service.ready_timeout_s", "positive, finite number"),
    ("an arm name in capitals", _replace('name = "indexed"', 'name = "Indexed"'),
     "arms[1].name", "lower-case"),
    ("two arms of one name", _replace('name = "no-index"', 'name = "indexed"'), "arms[2].name",
     "used by an earlier arm"),
    ("an unknown arm key", _replace('note = "the release"', 'notes = "x"'), "arms[1].notes",
     "unknown key"),
    ("a missing Locust file", _replace('"locustfile.py"', '"missing.py"'), "load.locustfile",
     "no such file"),
    ("users of zero", _replace("users = 16", "users = 0"), "load.users", "whole number"),
    ("a bad database URL", _replace('postgres_url = "postgresql://', 'postgres_url = "mysql://'),
     "evidence.postgres_url", "must start with"),
    ("a header name with a space", _replace('"X-Cache-Status"', '"X Cache"'),
     "evidence.hit_header", "not a header name"),
    ("two data sizes", _replace('of = "items"', 'of = "items"\nrows = 5'), "data_size",
     "exactly one"),
    ("a missing benchmark", _replace('"perf/test_search.py"', '"b.py"'),
     "benchmarks.files[1]", "no such file"),
    ("an env value that is a list", _replace('SHOP_CACHE = "off"', "SHOP_CACHE = [1]"),
     "arms[3].env.SHOP_CACHE", "string or a number"),
    ("a missing claims file", _replace('claims = "claims.toml"', 'claims = "c.toml"'), "claims",
     "no such file"),
    ("a timeout that is not a number", _replace("ready_timeout_s = 30", "ready_timeout_s = nan"),
     "service.ready_timeout_s", "finite"),
    ("a name on two lines", _replace('name = "shop"', 'name = "shop\\nsecond"'), "name",
     "one line"),
    ("a name that is a path", _replace('name = "shop"', 'name = "shops/main"'), "name",
     "without /"),
    ("too many users", _replace("users = 16", "users = 9223372036854775807"), "load.users",
     "from 1 to 10,000"),
    ("a database URL that does not parse",
     _replace('postgres_url = "postgresql://shop:s3cret@127.0.0.1:5432/shop"',
              'postgres_url = "postgresql://shop:s3cret@[db/shop"'),
     "evidence.postgres_url", "not a URL"),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "key", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_target_file_is_refused_in_one_line_naming_the_key(
    shop: Path, edit: Edit, key: str, words: str
) -> None:
    shop.write_text(edit(shop.read_text()))
    with pytest.raises(TargetError) as refused:
        load_target(shop)
    message = str(refused.value)
    assert message.startswith(f"{shop}: {key}: "), message
    assert words in message and "\n" not in message, message


@pytest.mark.parametrize(
    ("edit", "key", "words"),
    [
        (_replace("[[arms]]\nname = \"new\"", "[[arms]]\nname = \"new\"\nenv = { A = \"1\" }"),
         "arms[2].env", "given by url"),
        (_replace('name = "api"', 'name = "api"\n[evidence]\nprocess_tree = true'),
         "evidence.process_tree", "only for a service perfproof starts"),
        (_replace('q = ["a", "b"]', "r = [1]"), "load.requests[1].path", "{q} has no"),
        (_replace('path = "/search', 'path = "search'), "load.requests[1].path",
         "must start with /"),
        (_replace('path = "/search?q={q}"', 'path = "/items/{item-id}?q={q}"'),
         "load.requests[1].path", "no {placeholder}"),
        (_replace('url = "http://127.0.0.1:8080"', 'url = "http://[::1/"'), "service.url",
         "not a URL"),
        (_replace('path = "/search', 'method = "FETCH"\npath = "/search'),
         "load.requests[1].method", "known: GET"),
        (_replace('switch = "curl -X POST http://127.0.0.1:8080/flags/new/on"',
                  'switch = "curl -X POST http://127.0.0.1:8080/flags/new/off"'),
         "arms", "the arms are the same service"),
    ],
)  # fmt: skip
def test_a_service_given_by_url_is_only_switched_never_restarted(
    tmp_path: Path, edit: Edit, key: str, words: str
) -> None:
    path = tmp_path / "target.toml"
    path.write_text(edit(MINIMAL))
    with pytest.raises(TargetError, match=re.escape(f"{path}: {key}: ") + ".*" + re.escape(words)):
        load_target(path)


def test_a_file_that_is_not_toml_or_not_there_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="no such target file"):
        load_target(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("name = \n")
    with pytest.raises(TargetError, match="not valid TOML"):
        load_target(broken)
