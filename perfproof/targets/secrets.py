"""Secrets kept out of what perfproof writes and prints: manifests, reports, logs, plans.

An environment value is secret when the target file marks its name
(``secret = ["NAME"]``) or the name looks like one (password, secret, token,
key, credential); a URL's password is always hidden. A secret's value is also
hidden wherever it appears inside a command or a URL, since a ``before``
command may well spell out the password it was given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit, urlunsplit

HIDDEN = "***"
SECRET_NAME = re.compile(r"pass(word|wd)?|secret|token|(^|_)key($|_)|credential|auth", re.I)


def is_secret(name: str, marked: Iterable[str] = ()) -> bool:
    """Whether an environment variable's value must not be shown."""
    return name in set(marked) or SECRET_NAME.search(name) is not None


def redact_url(url: str) -> str:
    """``url`` with its password (if any) hidden: ``postgresql://app:***@db/shop``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:{HIDDEN}@{host}"))


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
        name: HIDDEN if is_secret(name, marked) else redact_url(value)
        for name, value in env.items()
    }


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """``text`` (a command, a log line) with every secret value in it hidden."""
    for secret in secrets:
        if len(secret) >= 3:  # a one- or two-letter value would hide half the text
            text = text.replace(secret, HIDDEN)
    return text


def _password(value: str) -> str | None:
    if "://" not in value:
        return None
    try:
        return urlsplit(value).password
    except ValueError:
        return None
