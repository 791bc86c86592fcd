"""Mailbox passwords and tokens, encrypted at rest with the installation's inbox key (Fernet)."""

from __future__ import annotations

from cryptography.fernet import InvalidToken

from ember.errors import EmberError
from ember.secretbox import cipher, new_key

__all__ = ["decrypt", "encrypt", "new_key"]


def encrypt(key: str | None, secret: str) -> str:
    return cipher(key).encrypt(secret.encode()).decode()


def decrypt(key: str | None, token: str) -> str:
    try:
        return cipher(key).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise EmberError("the mailbox password cannot be read with this EMBER_INBOX_KEY (the key changed?): "
                         "connect the mailbox again") from exc
