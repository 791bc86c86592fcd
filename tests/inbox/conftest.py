"""A real dovecot IMAP server for the inbox tests, shared by the session; each test gets its own login."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.inbox.imap_server import ImapServer, dovecot

_logins = itertools.count(1)


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    # Not under pytest's own temporary directory: that one is private to the user who runs the
    # tests, and the server runs unprivileged (as nobody when the tests run as root).
    root = Path(tempfile.mkdtemp(prefix="ember-dovecot-"))
    os.chmod(root, 0o755)
    try:
        with dovecot(root, {"nobody-uses-this@example.com": "x"}) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


class Account:
    """One login on the test server, to put messages where a mail program would."""

    def __init__(self, server: ImapServer, username: str, password: str) -> None:
        self.server, self.username, self.password = server, username, password

    def client(self) -> IMAPClient:
        client = IMAPClient(self.server.host, port=self.server.port, ssl=True, ssl_context=self.server.ssl_context())
        client.login(self.username, self.password)
        return client

    def deliver(self, raw: bytes | str, folder: str = "INBOX") -> None:
        data = raw.encode() if isinstance(raw, str) else raw
        with self.client() as client:
            client.append(folder, data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))

    def change_password(self, password: str) -> None:
        self.password = password
        users = self.server.root / "users"
        lines = [line for line in users.read_text().splitlines() if not line.startswith(f"{self.username}:")]
        fresh = users.with_suffix(".new")
        fresh.write_text("\n".join([*lines, f"{self.username}:{{PLAIN}}{password}"]) + "\n")
        info = users.stat()
        os.chown(fresh, info.st_uid, info.st_gid)
        os.replace(fresh, users)
        users_changed(users, info.st_mtime)


def users_changed(users: Path, previous_mtime: float) -> None:
    """Make sure the server sees a change of its users file: it rereads the file when the time stamp
    changes, and looks at it at most once a second."""
    stamp = max(time.time(), previous_mtime) + 2  # never the stamp the server saw last
    os.utime(users, (stamp, stamp))
    time.sleep(1.1)


@pytest.fixture
def mail_account(imap_server: ImapServer) -> Account:
    username = f"rep{next(_logins)}-{os.getpid()}@acme.example"
    account = Account(imap_server, username, "app-password-1")
    users = imap_server.root / "users"
    before = users.stat().st_mtime
    with users.open("a") as handle:
        handle.write(f"{username}:{{PLAIN}}{account.password}\n")
    users_changed(users, before)
    return account
