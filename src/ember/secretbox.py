"""Secrets kept in the database encrypted with the installation's key, EMBER_INBOX_KEY (Fernet).

Mailbox passwords and tokens, and the mail server passwords set on the desk, are
sealed with it. The key lives outside the database, so a copy of the database
alone does not give the passwords away.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from ember.errors import EmberError

# Marks a sealed value among settings that were once stored readable.
SEALED = "fernet:"
NO_KEY = ("no EMBER_INBOX_KEY: set it to a key made with `ember inbox new-key` and restart Ember "
          "(it encrypts mailbox and mail server passwords; keep it out of the database backup)")


class NotReadable(EmberError):
    """A sealed value that this key cannot open (the key changed, or is missing)."""


def new_key() -> str:
    return Fernet.generate_key().decode()


def cipher(key: str | None) -> Fernet:
    if not key:
        raise EmberError(NO_KEY)
    try:
        return Fernet(key.encode())
    except ValueError as exc:
        raise EmberError("EMBER_INBOX_KEY is not a valid key: it must be 32 url-safe base64-encoded bytes, "
                         "as printed by `ember inbox new-key`") from exc


def seal(key: str | None, secret: str) -> str:
    """The secret encrypted and marked as such, to store."""
    return SEALED + cipher(key).encrypt(secret.encode()).decode()


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED)


def unseal(key: str | None, value: str) -> str:
    """The secret back from ``seal``; NotReadable when this key cannot open it."""
    try:
        return cipher(key).decrypt(value.removeprefix(SEALED).encode()).decode()
    except (InvalidToken, EmberError) as exc:
        raise NotReadable("a stored password cannot be read with this EMBER_INBOX_KEY (the key changed or is "
                          "missing): enter the password again") from exc
