"""Talking to a mail server by IMAP (imapclient): log in, list new UIDs, fetch headers and bodies.

Only reads: messages are fetched with ``BODY.PEEK`` so nothing is marked as
read in the rep's own mail program.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from imapclient.imapclient import SENT

# What matching and the rules need; the body is fetched only for messages that concern a contact.
HEADER_FIELDS = ("FROM", "TO", "CC", "SUBJECT", "DATE", "MESSAGE-ID", "IN-REPLY-TO", "REFERENCES",
                 "AUTO-SUBMITTED", "X-AUTOREPLY", "X-AUTORESPOND", "PRECEDENCE", "CONTENT-TYPE",
                 "X-FAILED-RECIPIENTS")
HEADER_ITEM = ("BODY.PEEK[HEADER.FIELDS (" + " ".join(HEADER_FIELDS) + ")]").encode()
_HEADER_ANSWER = HEADER_ITEM.replace(b".PEEK", b"")  # how servers name it back, as a rule


class MailServerError(Exception):
    """The server refused or could not be reached; the message is the server's own words."""


class LoginRefused(MailServerError):
    """The server answered the login with a refusal (a wrong password, an expired token)."""


@dataclass(frozen=True)
class Connection:
    host: str
    port: int
    security: str  # ssl | starttls
    username: str
    auth: str  # password | xoauth2
    secret: str
    ca_file: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class FolderState:
    uidvalidity: int
    uidnext: int | None


@dataclass(frozen=True)
class Headers:
    uid: int
    raw: bytes
    internal_date: datetime | None


def _context(ca_file: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


@contextmanager
def connect(conn: Connection) -> Iterator[IMAPClient]:
    """A logged-in client; every failure becomes a MailServerError naming what went wrong."""
    try:
        client = IMAPClient(conn.host, port=conn.port, ssl=conn.security == "ssl", ssl_context=_context(conn.ca_file),
                            timeout=conn.timeout)
    except (OSError, IMAPClientError) as exc:
        raise MailServerError(f"cannot reach {conn.host}:{conn.port}: {_words(exc)}") from exc
    try:
        try:
            if conn.security == "starttls":
                client.starttls(_context(conn.ca_file))
            if conn.auth == "xoauth2":
                client.oauth2_login(conn.username, conn.secret)
            else:
                client.login(conn.username, conn.secret)
        except IMAPClientError as exc:  # the server's NO to LOGIN or AUTHENTICATE
            raise LoginRefused(f"{conn.host} refused the login of {conn.username}: {_words(exc)}") from exc
        except OSError as exc:
            raise MailServerError(f"{conn.host} dropped the login of {conn.username}: {_words(exc)}") from exc
        yield client
    except (OSError, IMAPClientError) as exc:
        raise MailServerError(f"{conn.host}: {_words(exc)}") from exc
    finally:
        with suppress(Exception):  # the connection may already be gone; nothing to clean up then
            client.logout()


def _words(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, bytes):
        text = exc.decode(errors="replace")
    return text.strip().strip("b'\"") or type(exc).__name__


def sent_folder(client: IMAPClient) -> str | None:
    """The folder the server marks as \\Sent (RFC 6154), when it marks one."""
    try:
        found = client.find_special_folder(SENT)
    except IMAPClientError:
        return None
    return str(found) if found else None


def open_folder(client: IMAPClient, folder: str) -> FolderState:
    info = client.select_folder(folder, readonly=True)
    uidnext = info.get(b"UIDNEXT")
    return FolderState(int(info[b"UIDVALIDITY"]), int(uidnext) if uidnext is not None else None)


def new_uids(client: IMAPClient, after_uid: int, since: date | None = None) -> list[int]:
    """UIDs above ``after_uid`` in the selected folder, oldest first (``since``: on a first read)."""
    criteria: list[object] = ["UID", f"{after_uid + 1}:*"]
    if since is not None:
        criteria += ["SINCE", since]
    # "n:*" always matches the last message, even below n: filter.
    return sorted(uid for uid in client.search(criteria) if uid > after_uid)


def fetch_headers(client: IMAPClient, uids: Sequence[int]) -> list[Headers]:
    if not uids:
        return []
    found = client.fetch(list(uids), [HEADER_ITEM, b"INTERNALDATE"])
    result = []
    for uid in sorted(found):
        data = found[uid]
        raw = data.get(_HEADER_ANSWER)
        if raw is None:  # a server that names the section its own way
            raw = next((value for key, value in data.items() if key.startswith(b"BODY[")), b"")
        raw = raw or b""
        internal = data.get(b"INTERNALDATE")
        result.append(Headers(uid, raw, internal if isinstance(internal, datetime) else None))
    return result


def fetch_bodies(client: IMAPClient, uids: Sequence[int]) -> dict[int, bytes]:
    if not uids:
        return {}
    found = client.fetch(list(uids), [b"BODY.PEEK[]"])
    return {uid: data.get(b"BODY[]") or b"" for uid, data in found.items()}


def supports_idle(client: IMAPClient) -> bool:
    return bool(client.has_capability("IDLE"))


def wait_for_new_mail(client: IMAPClient, timeout: float) -> bool:
    """IDLE on the selected folder until the server announces a new message or ``timeout`` passes."""
    client.idle()
    try:
        responses = client.idle_check(timeout=timeout)
    finally:
        client.idle_done()
    return any(len(item) > 1 and item[1] in (b"EXISTS", b"RECENT") for item in responses)
