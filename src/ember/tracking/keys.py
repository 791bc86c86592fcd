"""Write keys: made, hashed, read from a request. Pure.

Only the SHA-256 of a key is stored, so a key is shown once, when it is made.
The prefix tells a server key from a browser key at a glance.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from enum import StrEnum


class KeyScope(StrEnum):
    SERVER = "server"  # kept on the team's servers: identities it sends are trusted
    BROWSER = "browser"  # published in web pages: anyone can send anything with it


PREFIXES = {KeyScope.SERVER: "wk_", KeyScope.BROWSER: "wkb_"}
SHOWN_PREFIX = 10  # characters kept to tell keys apart in a list


def new_write_key(scope: KeyScope) -> str:
    return PREFIXES[scope] + secrets.token_urlsafe(24)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def shown_prefix(key: str) -> str:
    return key[:SHOWN_PREFIX]


def basic_user(authorization: str | None) -> str | None:
    """The user part of an HTTP Basic header (Segment's libraries send ``writeKey:``)."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, _, _ = decoded.partition(":")
    return user or None
