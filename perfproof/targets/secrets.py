"""Secrets kept out of what perfproof writes and prints: manifests, reports, logs, plans.

An environment value is secret when the target file marks its name
(``secret = ["NAME"]``) or the name looks like one (password, pwd, secret,
token, key, credential, auth, cookie, private). Its value is then hidden
wherever it appears as a word in printed text (a ``before`` command may well
spell out the password it was given). Beside those values, every printed line
also loses what is a secret by its shape, whoever wrote it: a URL's password
(``postgresql://app:***@db/app``), a ``NAME=value`` whose name looks secret
(``PGPASSWORD=***``, a DSN's ``password=***``), ``-u user:***`` and the token
of an ``Authorization`` header or ``Bearer``. A one-character value is not
hidden as a word: it would hide every such character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

HIDDEN = "***"
SECRET_WORDS = r"pass|pwd|secret|token|key|credential|auth|cookie|private"
SECRET_NAME = re.compile(SECRET_WORDS, re.I)
SHAPES = (
    # scheme://user:password@host
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]*):([^@\s/]+)@", re.I), rf"\1:{HIDDEN}@"),
    # NAME=value, name=value, NAME="value" where the name looks secret
    (
        re.compile(
            rf"(\b[\w.-]*(?:{SECRET_WORDS})[\w.-]*\s*=\s*)('[^']*'|\"[^\"]*\"|[^\s'\",;&]+)", re.I
        ),
        rf"\1{HIDDEN}",
    ),
    # curl -u user:password, --user user:password
    (re.compile(r"((?:^|\s)(?:-u|--user)\s+[^\s:]+):(\S+)"), rf"\1:{HIDDEN}"),
    # Authorization: Bearer TOKEN, Basic xyz, a bare "Bearer TOKEN"
    (
        re.compile(r"(\b(?:bearer|basic)\s+|authorization:\s*token\s+)[A-Za-z0-9._~+/=-]+", re.I),
        rf"\1{HIDDEN}",
    ),
)


def is_secret(name: str, marked: Iterable[str] = ()) -> bool:
    """Whether an environment variable's value must not be shown."""
    return name in set(marked) or SECRET_NAME.search(name) is not None


def redact_url(url: str) -> str:
    """``url`` with its password (if any) hidden: ``postgresql://app:***@db/shop``."""
    return SHAPES[0][0].sub(SHAPES[0][1], url)


def secret_values(env: Mapping[str, str], marked: Iterable[str] = ()) -> tuple[str, ...]:
    """The values of ``env`` that are secret, and every URL password in it, longest first."""
    found = {value for name, value in env.items() if is_secret(name, marked) and value}
    for value in env.values():
        password = _password(value)
        if password:
            found.add(password)
    return tuple(sorted(found, key=len, reverse=True))


def redact_env(env: Mapping[str, str], marked: Iterable[str] = ()) -> dict[str, str]:
    """``env`` with secret values hidden and URL passwords hidden in the others."""
    return {
        name: HIDDEN if is_secret(name, marked) else redact_text(value, ())
        for name, value in env.items()
    }


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """``text`` (a command, a log line) with every secret value in it, and every secret by
    its shape, hidden."""
    for secret in secrets:
        if len(secret) >= 2:
            text = re.sub(rf"(?<![\w]){re.escape(secret)}(?![\w])", HIDDEN, text)
            text = text.replace(secret, HIDDEN) if len(secret) >= 6 else text
    for pattern, replacement in SHAPES:
        text = pattern.sub(replacement, text)
    return text


def _password(value: str) -> str | None:
    if "://" not in value:
        return None
    try:
        return urlsplit(value).password
    except ValueError:
        return None
