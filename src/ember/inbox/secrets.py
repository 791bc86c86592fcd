"""Mailbox passwords and tokens, encrypted at rest with the installation's inbox key (Fernet)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from ember.errors import EmberError


def new_key() -> str:
    return Fernet.generate_key().decode()


def _cipher(key: str | None) -> Fernet:
    if not key:
        raise EmberError("no inbox key: set EMBER_INBOX_KEY to a key made with `ember inbox new-key` "
                         "(it encrypts mailbox passwords; keep it out of the database backup)")
    try:
        return Fernet(key.encode())
    except ValueError as exc:
        raise EmberError("EMBER_INBOX_KEY is not a valid key: it must be 32 url-safe base64-encoded bytes, "
                         "as printed by `ember inbox new-key`") from exc


def encrypt(key: str | None, secret: str) -> str:
    return _cipher(key).encrypt(secret.encode()).decode()


def decrypt(key: str | None, token: str) -> str:
    try:
        return _cipher(key).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise EmberError("the mailbox password cannot be read with this EMBER_INBOX_KEY (the key changed?): "
                         "connect the mailbox again") from exc
