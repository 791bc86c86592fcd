"""Reading a rep's mailbox: new UIDs, headers first, bodies only for what concerns a contact.

Resumable and exactly-once: each message that concerns a contact is stored
with its effects and the folder's cursor in one transaction, keyed on
(mailbox, folder, UIDVALIDITY, UID). A crash loses at most the message in
flight, which the next sync reads again; one already stored is never acted on
twice. Messages from nobody Ember knows are only counted, never stored.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from imapclient import IMAPClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ember.db import unit_of_work
from ember.errors import EmberError
from ember.inbox import imap, oauth, repository, service
from ember.inbox.rules import Verdict, classify, new_text
from ember.messages.service import TeamLibraries
from ember.models import Mailbox, User
from ember.settings import Settings
from ember.team_settings.effective import settings_for
from ember.users.access import Actor

log = logging.getLogger(__name__)
_ABSENT = object()


class _ReadOnlyMessage(EmailMessage):
    """A message Ember only reads: each header is parsed once however often it is asked for. The
    modern policy parses a header at every look, and the body and report checks ask for the content
    type several times a message."""

    def get(self, name: str, failobj: Any = None) -> Any:  # type: ignore[override]
        seen: dict[str, Any] = self.__dict__.setdefault("_seen_headers", {})
        key = name.lower()
        if key not in seen:
            seen[key] = super().get(name, _ABSENT)
        value = seen[key]
        return failobj if value is _ABSENT else value


_PARSER = BytesParser(policy=policy.default.clone(message_factory=_ReadOnlyMessage))
# Headers of every message are read only to match them: the plain (compat32) parser is several
# times faster than the modern one, which is kept for the few messages read in full.
_HEADER_PARSER = BytesHeaderParser(policy=policy.compat32)
_REPORT_SENDERS = ("mailer-daemon@", "postmaster@")
_NOT_IN_BARE_ADDRESS = re.compile(r"[\s<>\[\]]")
# From this many batches on, headers are read ahead on a second connection (see _headers_ahead).
_READ_AHEAD_FROM = 4
_AHEAD_BATCHES = 64  # at most this many batches of headers wait in memory


@dataclass
class SyncReport:
    mailbox_id: int
    read: int = 0  # headers fetched
    matched: int = 0  # concerned a contact
    recorded: list[str] = field(default_factory=list)  # kinds acted on, in order
    error: str | None = None


@dataclass(frozen=True)
class _Context:
    engine: Engine
    settings: Settings
    mailbox_id: int
    mailbox: Mailbox  # detached: how to log in again, for the connection that reads ahead
    owner: User
    actor: Actor
    now: datetime
    after_each: Callable[[int], None] | None
    libraries: TeamLibraries = field(default_factory=TeamLibraries)  # each team's, read once a sync


def sync_mailbox(engine: Engine, settings: Settings, mailbox_id: int, *, now: datetime | None = None,
                 after_each: Callable[[int], None] | None = None) -> SyncReport:
    """Read what is new in the mailbox's inbox and sent folders; the outcome is kept on the mailbox."""
    now = now or datetime.now(UTC)
    report = SyncReport(mailbox_id)
    with unit_of_work(engine) as session:
        found = repository.mailbox_with_owner(session, mailbox_id)
        if found is None:
            report.error = "mailbox not found"
            return report
        mailbox, owner = found.mailbox, found.owner
        session.expunge_all()
    try:
        context = _Context(engine, settings, mailbox_id, mailbox, owner, Actor.of(owner), now, after_each)
        with logged_in(engine, settings, mailbox, settings.inbox.inbox_timeout_s) as client:
            _sync_folder(client, context, mailbox.inbox_folder, inbound=True, report=report)
            if mailbox.sent_folder:
                _sync_folder(client, context, mailbox.sent_folder, inbound=False, report=report)
    except (imap.MailServerError, EmberError) as exc:
        report.error = getattr(exc, "message", None) or str(exc)
        log.warning("mailbox %s: %s", mailbox_id, report.error)
    with unit_of_work(engine) as session:
        repository.mark_synced(session, mailbox_id, at=datetime.now(UTC), error=report.error)
    return report


@contextmanager
def logged_in(engine: Engine, settings: Settings, mailbox: Mailbox, timeout: float) -> Iterator[IMAPClient]:
    """A client logged in to the mailbox. An OAuth2 mailbox with a refresh token gets a new access token
    first when the stored one has (nearly) expired, and once more when the server refuses it; the new
    tokens are kept. A refresh the provider refuses is an EmberError with the provider's words."""
    key = settings.inbox.inbox_key
    tokens = service.oauth_tokens(mailbox, key)
    refreshed = False
    if tokens is not None and tokens.due(datetime.now(UTC)):
        tokens, refreshed = _refreshed(engine, settings, mailbox, tokens), True
    access = tokens.access_token if tokens is not None else None
    with ExitStack() as stack:
        try:
            client = stack.enter_context(imap.connect(
                service.connection_of(mailbox, key, settings.inbox.inbox_ca_file, timeout, access)))
        except imap.LoginRefused:
            if tokens is None or not tokens.refresh_token or refreshed:
                raise
            tokens = _refreshed(engine, settings, mailbox, tokens)
            client = stack.enter_context(imap.connect(
                service.connection_of(mailbox, key, settings.inbox.inbox_ca_file, timeout, tokens.access_token)))
        yield client


def _refreshed(engine: Engine, settings: Settings, mailbox: Mailbox, tokens: oauth.OAuthTokens) -> oauth.OAuthTokens:
    try:
        fresh = oauth.refresh(tokens, settings)
    except oauth.RefreshFailed as exc:
        raise EmberError(f"the OAuth2 access token could not be refreshed: {exc}") from exc
    with unit_of_work(engine) as session:
        mailbox.secret = service.store_tokens(session, mailbox.id, fresh, settings.inbox.inbox_key)
    # The caller's copy holds the new tokens too: a second connection of the same sync (which reads
    # headers ahead) logs in with them instead of refreshing again.
    return fresh


def _sync_folder(client: IMAPClient, ctx: _Context, folder: str, *, inbound: bool, report: SyncReport) -> None:
    state = imap.open_folder(client, folder)
    with unit_of_work(ctx.engine) as session:
        cursor = repository.folder_state(session, ctx.mailbox_id, folder)
        known = (cursor.uidvalidity, cursor.last_uid) if cursor else None
    if known is None:
        # A new mailbox: only recent mail, not years of history.
        uids = imap.new_uids(client, 0, (ctx.now - timedelta(days=ctx.settings.inbox.inbox_backfill_days)).date())
    else:
        # A changed UIDVALIDITY renumbered the folder: read it again (Message-IDs keep it once-only).
        uids = imap.new_uids(client, known[1] if known[0] == state.uidvalidity else 0)
    size = max(ctx.settings.inbox.inbox_batch, 1)
    batches = [uids[start:start + size] for start in range(0, len(uids), size)]
    with _headers_ahead(client, ctx, folder, state.uidvalidity, batches) as headers:
        for batch, fetched in zip(batches, headers, strict=True):
            _sync_batch(client, ctx, folder, state.uidvalidity, batch, fetched, inbound=inbound, report=report)


@contextmanager
def _headers_ahead(client: IMAPClient, ctx: _Context, folder: str, uidvalidity: int,
                   batches: list[list[int]]) -> Iterator[Iterator[list[imap.Headers]]]:
    """The headers of each batch, in order. A long read (a first sync, a renumbered folder) reads
    them ahead on a second connection, in a thread, while this one fetches bodies and the batches
    are recorded: a server can take seconds over the first full message of a session (dovecot
    looks for the file in a big maildir), and the headers keep coming meanwhile. A short read
    keeps to one connection."""
    if len(batches) < _READ_AHEAD_FROM:
        yield (imap.fetch_headers(client, batch) for batch in batches)
        return
    ahead: queue.Queue[list[imap.Headers] | BaseException] = queue.Queue(maxsize=_AHEAD_BATCHES)
    stop = threading.Event()
    reader = threading.Thread(target=_read_ahead, args=(ctx, folder, uidvalidity, batches, ahead, stop),
                              name=f"inbox-{ctx.mailbox_id}-headers", daemon=True)
    reader.start()
    try:
        yield _taken(ahead, client, batches)
    finally:
        stop.set()  # also when a batch failed: the reader stops at its next hand-over
        while reader.is_alive():
            with suppress(queue.Empty):
                ahead.get(timeout=0.1)  # make room, so a reader waiting to hand over sees the stop
        reader.join()


class _NoSecondLogin(Exception):
    """The server would not open a second connection (some limit how many a mailbox may have)."""


def _taken(ahead: queue.Queue[list[imap.Headers] | BaseException], client: IMAPClient,
           batches: list[list[int]]) -> Iterator[list[imap.Headers]]:
    for number in range(len(batches)):
        item = ahead.get()
        if isinstance(item, _NoSecondLogin):  # then this connection reads them, as a short read does
            log.info("%s; headers are read on one connection", item)
            yield from (imap.fetch_headers(client, batch) for batch in batches[number:])
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def _read_ahead(ctx: _Context, folder: str, uidvalidity: int, batches: list[list[int]],
                ahead: queue.Queue[list[imap.Headers] | BaseException], stop: threading.Event) -> None:
    """Fetch each batch's headers on a connection of its own; a failure is handed over in its place."""
    try:
        try:
            stack = ExitStack()
            reader = stack.enter_context(logged_in(ctx.engine, ctx.settings, ctx.mailbox,
                                                   ctx.settings.inbox.inbox_timeout_s))
        except (imap.MailServerError, EmberError) as exc:
            raise _NoSecondLogin(f"a second connection was refused: {exc}") from exc
        with stack:
            if imap.open_folder(reader, folder).uidvalidity != uidvalidity:
                raise imap.MailServerError(f"the server renumbered {folder} during the read; the next read starts "
                                           "it again")
            for batch in batches:
                if stop.is_set() or not _hand_over(ahead, imap.fetch_headers(reader, batch), stop):
                    return
    except BaseException as exc:  # anything: the sync's own thread raises it
        _hand_over(ahead, exc, stop)


def _hand_over(ahead: queue.Queue[list[imap.Headers] | BaseException], item: list[imap.Headers] | BaseException,
               stop: threading.Event) -> bool:
    while not stop.is_set():
        with suppress(queue.Full):
            ahead.put(item, timeout=0.1)
            return True
    return False


class Fields:
    """The fetched header fields of one message, for matching only (most messages concern nobody, and the
    email package's parser costs more than the whole fetch): names case-insensitive, folded lines joined."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, str]) -> None:
        self._values = values

    @classmethod
    def read(cls, raw: bytes) -> Fields:
        values: dict[str, str] = {}
        name = None
        for line in raw.decode("latin-1").split("\r\n" if b"\r\n" in raw else "\n"):
            if line[:1] in (" ", "\t") and name is not None:
                values[name] += " " + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                name = key.strip().lower()
                values.setdefault(name, value.strip())
        return cls(values)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._values.get(name.lower(), default)

    def get_content_type(self) -> str:
        return (self._values.get("content-type") or "text/plain").split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class _Candidate:
    uid: int
    headers: Message
    internal_date: datetime | None
    contact_id: int | None
    outbound_id: int | None


def _sync_batch(client: IMAPClient, ctx: _Context, folder: str, uidvalidity: int, uids: Sequence[int],
                fetched: list[imap.Headers], *, inbound: bool, report: SyncReport) -> None:
    """Read one batch of UIDs (their headers fetched); the folder's cursor moves past it in the
    transaction that records its messages (a batch of strangers' mail only moves the cursor)."""
    report.read += len(fetched)
    parsed = [(h, Fields.read(h.raw)) for h in fetched]
    with unit_of_work(ctx.engine) as session:
        candidates = (_inbound_candidates if inbound else _sent_candidates)(session, ctx.actor, parsed)
        if not candidates:
            repository.save_cursor(session, ctx.mailbox_id, folder, uidvalidity, uids[-1])
            return
    bodies = imap.fetch_bodies(client, [c.uid for c in candidates]) if inbound else {}
    # One transaction for the batch's matched messages, and each contact re-planned once at the
    # end: a crash part-way leaves the cursor before the batch, which is then read again (the
    # Message-IDs already stored keep every message once-only).
    with unit_of_work(ctx.engine) as session:
        cadence = settings_for(session, ctx.settings, ctx.owner.team_id).cadence.planning()  # the team's own
        plans = service.MailPlans(cadence, libraries=ctx.libraries)
        messages = [_message_of(candidate, bodies) for candidate in candidates]
        service.read_ahead(session, plans, ctx.actor, mailbox_id=ctx.mailbox_id, folder=folder,
                           message_ids=[_message_id(m) for m in messages],
                           contact_ids=[c.contact_id for c in candidates if c.contact_id is not None])
        for candidate, message in zip(candidates, messages, strict=True):
            _record_one(session, ctx, folder, uidvalidity, candidate, message, plans, inbound=inbound, report=report)
            if ctx.after_each is not None:
                ctx.after_each(candidate.uid)
        plans.replan_all(session, ctx.now)
        repository.save_cursor(session, ctx.mailbox_id, folder, uidvalidity, uids[-1])


def _message_of(candidate: _Candidate, bodies: dict[int, bytes]) -> Message:
    return _parse(bodies[candidate.uid], headers_only=False) if candidate.uid in bodies else candidate.headers


def _record_one(session: Session, ctx: _Context, folder: str, uidvalidity: int, candidate: _Candidate,
                message: Message, plans: service.MailPlans, *, inbound: bool, report: SyncReport) -> None:
    received = _received(message, candidate.internal_date, ctx.now)
    text = new_text(message) if inbound else ""  # read once: the rules and the quote both need it
    verdict = classify(message, received_at=received, text=text) if inbound else None
    contact_id, outbound_id = candidate.contact_id, candidate.outbound_id
    if contact_id is None:  # a delivery report: the contact is whom the failed email was for
        contact_id, outbound_id = _report_contact(session, ctx.actor, message, verdict)
    if contact_id is None:
        return
    incoming = service.Incoming(
        ctx.mailbox_id, folder, uidvalidity, candidate.uid, message, _message_id(message),
        _address(message.get("From")), _subject(message), received, contact_id, outbound_id, text)
    stored = service.record(session, incoming, verdict, owner=ctx.owner, plans=plans, now=ctx.now)
    if stored is not None:
        report.matched += 1
        report.recorded.append(stored.kind)


def _inbound_candidates(session: Session, actor: Actor, parsed: list[tuple[imap.Headers, Fields]]) -> list[_Candidate]:
    senders = {h.uid: _address(m.get("From")) for h, m in parsed}
    references = {h.uid: _references(m) for h, m in parsed}
    contacts = repository.contacts_by_email(session, actor, [s for s in senders.values() if s])
    ours = repository.outbound_by_message_id(session, [r for refs in references.values() for r in refs])
    result = []
    for headers, message in parsed:
        sender = senders[headers.uid] or ""
        sent = next((ours[r] for r in references[headers.uid] if r in ours), None)
        contact_id = contacts.get(sender) or (sent.contact_id if sent else None)
        if contact_id is None and not _looks_like_report(message, sender):
            continue
        result.append(_Candidate(headers.uid, _parse(headers.raw, headers_only=True), headers.internal_date,
                                 contact_id, sent.outbound_id if sent else None))
    return result


def _sent_candidates(session: Session, actor: Actor, parsed: list[tuple[imap.Headers, Fields]]) -> list[_Candidate]:
    recipients = {h.uid: [a.lower() for _, a in getaddresses([str(m.get("To", "") or ""), str(m.get("Cc", "") or "")])
                          if a] for h, m in parsed}
    contacts = repository.contacts_by_email(session, actor, [a for found in recipients.values() for a in found])
    ours = repository.outbound_by_message_id(session, [_message_id(m) or "" for _, m in parsed])
    result = []
    for headers, message in parsed:
        if _message_id(message) in ours:
            continue  # sent by Ember itself, which logged it when it went out
        contact_id = next((contacts[a] for a in recipients[headers.uid] if a in contacts), None)
        if contact_id is not None:
            result.append(_Candidate(headers.uid, _parse(headers.raw, headers_only=True), headers.internal_date,
                                     contact_id, None))
    return result


def _report_contact(session: Session, actor: Actor, message: Message,
                    verdict: Verdict | None) -> tuple[int | None, int | None]:
    original = _original_message_id(message)
    if original:
        ours = repository.outbound_by_message_id(session, [original])
        if original in ours:
            return ours[original].contact_id, ours[original].outbound_id
    bounced = verdict.bounced if verdict else ()
    contacts = repository.contacts_by_email(session, actor, bounced)
    return next((contacts[a] for a in bounced if a in contacts), None), None


def _original_message_id(message: Message) -> str | None:
    """The Message-ID of the email a delivery report returns (its headers travel inside the report)."""
    for part in message.walk():
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                return _message_id(inner)
        if part.get_content_type() == "text/rfc822-headers":
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                return _message_id(_parse(raw, headers_only=True))
    return None


def _looks_like_report(message: Fields | Message, sender: str) -> bool:
    return (message.get_content_type() == "multipart/report" or sender.startswith(_REPORT_SENDERS)
            or message.get("X-Failed-Recipients") is not None)


def _parse(raw: bytes, *, headers_only: bool) -> Message:
    if headers_only:
        return _HEADER_PARSER.parsebytes(raw)
    return _PARSER.parsebytes(raw)


def _address(value: object) -> str | None:
    """The first address of a From or To header, lower-cased. The usual shapes (``a@b`` and
    ``Name <a@b>``) are read directly, since every message's sender is read; anything with
    quotes, comments or several addresses goes through the email package."""
    text = str(value or "").strip()
    if text and not any(mark in text for mark in '",()\\;:'):
        start = text.rfind("<")
        bare = text[start + 1:-1] if start != -1 and text.endswith(">") and text.count("<") == 1 \
            and "@" not in text[:start] else (text if start == -1 and " " not in text else "")
        local, _, domain = bare.partition("@")
        if local and domain and "@" not in domain and _NOT_IN_BARE_ADDRESS.search(bare) is None:
            return bare.lower()
    try:
        found = getaddresses([text])
    except Exception:  # a header too broken to read names nobody
        return None
    return found[0][1].lower() if found and found[0][1] else None


def _subject(message: Message) -> str:
    raw = message.get("Subject", "") or ""
    try:
        return str(make_header(decode_header(str(raw)))).strip()
    except (ValueError, LookupError, UnicodeDecodeError):  # an encoded word broken beyond reading
        return str(raw).strip()


def _message_id(message: Fields | Message) -> str | None:
    try:
        value = str(message.get("Message-ID", "") or "").strip()
    except Exception:
        return None
    return value or None


def _references(message: Fields | Message) -> list[str]:
    found: list[str] = []
    for name in ("In-Reply-To", "References"):
        try:
            value = str(message.get(name, "") or "")
        except Exception:
            continue
        found += [token for token in value.split() if token.startswith("<") and token.endswith(">")]
    return found


def _received(message: Message, internal_date: datetime | None, now: datetime) -> datetime:
    moment: datetime | None = None
    try:
        raw = message.get("Date")
        moment = parsedate_to_datetime(str(raw)) if raw else None
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is None and internal_date is not None:
        moment = internal_date
    if moment is None:
        return now
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return min(moment.astimezone(UTC), now)
