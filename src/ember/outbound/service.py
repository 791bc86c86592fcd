"""Sending follow-up emails exactly once.

The path of one email:

1. ``prepare`` checks who may receive it (never do-not-contact; nurture only
   the newsletter; no unfilled ``[[placeholder]]``), derives the idempotency
   key and inserts the row as ``queued`` — insert-or-ignore on the unique key,
   so a double click, a retry or a second worker finds the existing row and is
   refused with the reason.
2. ``deliver`` claims the row with a conditional UPDATE (queued/failed →
   sending; only one worker can win), commits the claim, talks to SMTP, and
   commits the outcome: ``sent`` with the time, or ``failed`` with the error,
   the attempt count and the next attempt time (exponential backoff).

Delivery is its own transaction boundary, the one place in the services that
commits: the row must be durably ``queued`` and then ``sending`` *before* the
SMTP server has the message, otherwise a crash after sending would leave no
trace and a retry would send twice. A row left in ``sending`` by a dead worker
is never re-sent automatically (it may have gone out); the rep sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import make_msgid
from typing import Any

from sqlalchemy.orm import Session

from ember.contacts import repository as contact_repository
from ember.contacts.repository import contact_by_id
from ember.contacts.service import get_contact
from ember.errors import EmberError, InvalidInput, NotFound, Problem
from ember.models import OutboundMessage
from ember.outbound import repository, rules
from ember.outbound.mail import Letter, SmtpConfig, build_message, is_permanent, plain_failure, transmit
from ember.settings.cadence import CadenceSettings
from ember.touches import repository as touch_repository
from ember.touches.service import log_touch
from ember.users.access import Actor
from ember.users.repository import user_by_id

# The planning defaults, for callers that do not pass their own (tests, one-off scripts).
DEFAULT_CADENCE = CadenceSettings()

@dataclass(frozen=True)
class SendResult:
    status: str  # sent | queued | refused | failed
    reason: str
    message_id: str | None = None
    id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"message_id": self.message_id, "status": self.status, "reason": self.reason, "id": self.id}


@dataclass(frozen=True)
class Prepared:
    id: int | None
    refused: SendResult | None = None
    force: bool = False  # a failed message the rep sends again: retry it now


def send(session: Session, actor: Actor, *, contact_id: int, subject: str, body: str, smtp: SmtpConfig,
         kind: str = "email", invite_at: datetime | None = None, idempotency_key: str | None = None,
         now: datetime | None = None, cadence: CadenceSettings = DEFAULT_CADENCE) -> SendResult:
    """Queue and deliver one email now. Commits (see the module docstring)."""
    now = now or datetime.now(UTC)
    prepared = prepare(session, actor, contact_id=contact_id, subject=subject, body=body, smtp=smtp, kind=kind,
                       invite_at=invite_at, idempotency_key=idempotency_key, now=now)
    if prepared.refused is not None or prepared.id is None:
        return prepared.refused or SendResult("refused", "nothing to send")
    session.commit()  # the queued row exists before anything leaves
    return deliver(session, prepared.id, smtp=smtp, now=now, force=prepared.force, cadence=cadence)


def prepare(session: Session, actor: Actor, *, contact_id: int, subject: str, body: str, smtp: SmtpConfig,
            kind: str = "email", invite_at: datetime | None = None, idempotency_key: str | None = None,
            now: datetime | None = None) -> Prepared:
    """Check and store the message as queued (flush only); refuse a repeat with its reason."""
    now = now or datetime.now(UTC)
    contact = get_contact(session, actor, contact_id)
    if invite_at is not None and invite_at.tzinfo is None:
        raise InvalidInput("the invite time has no time zone",
                           [Problem("invite", "no UTC offset", "give an offset, e.g. 2026-03-10T15:00:00-05:00")])
    problems = rules.header_problems({"subject": subject,
                                      "the contact's name": contact.full_name, "your name": actor.name})
    if problems:
        raise InvalidInput("this email cannot be sent: a header value holds a line break", problems)
    refused = rules.refusal(contact_status=contact.status, contact_email=contact.email, kind=kind,
                            subject=subject, body=body, do_not_email=contact.do_not_email)
    if refused is not None:
        return Prepared(None, SendResult("refused", refused.reason))
    key = idempotency_key or rules.idempotency_key(rep_id=actor.id, contact_id=contact.id, subject=subject,
                                                   body=body)
    sender = smtp.mail_from or actor.email
    new_id = repository.insert_if_new(session, {
        "idempotency_key": key, "contact_id": contact.id, "rep_id": actor.id, "kind": kind,
        "deal_id": touch_repository.default_deal_id(session, contact.id), "subject": subject.strip(),
        "body_text": body.strip() + "\n", "body_html": rules.html_from_text(body), "invite_at": invite_at,
        "message_id": make_msgid(domain=sender.partition("@")[2] or None), "status": "queued", "attempts": 0,
        "created_at": now,
    })
    if new_id is not None:
        return Prepared(new_id)
    existing = repository.by_key(session, key)
    if existing is None:  # deleted between the insert and the read: treat as a conflict, never resend
        return Prepared(None, SendResult("refused", "a message with this key is being changed; try again"))
    if existing.contact_id != contact.id or existing.rep_id != actor.id:
        return Prepared(None, SendResult("refused", "this idempotency key belongs to another message; "
                                                    "use a new key"))
    if existing.status == "failed":
        return Prepared(existing.id, force=True)
    return Prepared(None, _repeat(existing))


def _repeat(existing: OutboundMessage) -> SendResult:
    if existing.status == "sent":
        when = existing.sent_at.strftime("%Y-%m-%d %H:%M UTC") if existing.sent_at else "earlier"
        reason = (f"already sent: this exact email went to this contact on {when} (Message-ID "
                  f"{existing.message_id}); an email is never sent twice. Change the subject or the text "
                  f"to send a different one.")
    else:
        reason = (f"already {existing.status}: this exact email is on its way (queued "
                  f"{existing.created_at:%Y-%m-%d %H:%M} UTC); it will not be sent a second time")
    return SendResult("refused", reason, existing.message_id, existing.id)


def deliver(session: Session, message_id: int, *, smtp: SmtpConfig, now: datetime | None = None,
            force: bool = False, cadence: CadenceSettings = DEFAULT_CADENCE) -> SendResult:
    """Claim, send and record one queued or due message. Commits the claim and the outcome."""
    now = now or datetime.now(UTC)
    claimed = repository.claim(session, message_id, now, force=force)
    session.commit()
    row = repository.get(session, message_id)
    if row is None:
        raise NotFound(f"outbound message {message_id} not found")
    if not claimed:
        return _repeat(row)
    letter = _letter(session, row, smtp, now)
    try:
        transmit(smtp, build_message(letter))
    except Exception as exc:  # any failure to hand over (network, TLS, SMTP reply) is recorded, never lost
        return _record_failure(session, row, exc, smtp, now)
    repository.finish(session, row.id, {"status": "sent", "sent_at": now, "last_error": None})
    session.commit()
    if row.kind == "email":
        _log_sent_touch(session, row, now, cadence)
    return SendResult("sent", f"sent to {letter.to_email}", row.message_id, row.id)


def _log_sent_touch(session: Session, row: OutboundMessage, now: datetime, cadence: CadenceSettings) -> None:
    """A sent follow-up email is a touch: the attempt count and the plan move on.
    Done after the send is recorded, so a problem here can never cause a second send."""
    rep = user_by_id(session, row.rep_id)
    if rep is None:
        return
    try:
        log_touch(session, Actor.of(rep), contact_id=row.contact_id, channel="email", outcome="email-sent",
                  occurred_at=now, deal_id=row.deal_id, notes=f"Sent: {row.subject}",
                  settings=cadence, now=now)
        session.commit()
    except EmberError:
        session.rollback()


def _record_failure(session: Session, row: OutboundMessage, exc: Exception, smtp: SmtpConfig,
                    now: datetime) -> SendResult:
    attempts = row.attempts
    retry_at = None if is_permanent(exc) else rules.next_attempt(
        attempts, now, base_s=smtp.retry_base_s, max_attempts=smtp.max_attempts)
    error = f"{type(exc).__name__}: {exc}"[:2000]
    repository.finish(session, row.id, {"status": "failed", "last_error": error, "next_attempt_at": retry_at})
    session.commit()
    plain = plain_failure(exc, smtp)  # the raw error stays in last_error for whoever looks into it
    if retry_at is None:
        return SendResult("failed", f"not sent after {attempts} attempt(s): {plain}. Ember stopped retrying; "
                                    f"fix the address or the mail settings and send again", row.message_id, row.id)
    return SendResult("queued", f"not sent yet: {plain}. Ember retries at {retry_at:%Y-%m-%d %H:%M} UTC "
                                f"(attempt {attempts} of {smtp.max_attempts})", row.message_id, row.id)


def _letter(session: Session, row: OutboundMessage, smtp: SmtpConfig, now: datetime) -> Letter:
    contact = contact_by_id(session, row.contact_id)
    rep = user_by_id(session, row.rep_id)
    if contact is None or rep is None or not contact.email:
        raise NotFound(f"outbound message {row.id}: its contact or rep no longer exists")
    return Letter(
        message_id=row.message_id or make_msgid(), sender_name=rep.name, sender_email=smtp.mail_from or rep.email,
        reply_to=rep.email, to_name=contact.full_name, to_email=contact.email, subject=row.subject,
        text=row.body_text, sent_at=now, invite_at=row.invite_at,
        contact_zone=contact_repository.contact_timezone(session, contact), rep_zone=rep.timezone or "UTC",
    )


def retry_due(session: Session, now: datetime | None = None, *, smtp: SmtpConfig,
              cadence: CadenceSettings = DEFAULT_CADENCE) -> list[SendResult]:
    """Re-send every failed message whose next attempt is due. For the periodic job and `ember send --retry`.

    Commits per message (see the module docstring); a message another worker
    claimed first is skipped, so running this on two machines sends nothing twice.
    """
    now = now or datetime.now(UTC)
    results = []
    for message_id in repository.due_failures(session, now):
        row = repository.get(session, message_id)
        if row is None:
            continue
        blocked = _blocked(session, row)
        if blocked is not None:
            _stop(session, row, blocked)
            results.append(SendResult("refused", blocked, row.message_id, row.id))
            continue
        results.append(deliver(session, message_id, smtp=smtp, now=now, cadence=cadence))
    return results


def _blocked(session: Session, row: OutboundMessage) -> str | None:
    """A contact may have said no or asked not to be contacted since the message first failed."""
    contact = contact_by_id(session, row.contact_id)
    if contact is None:
        return "the contact no longer exists"
    broken = rules.header_problems({"subject": row.subject, "the contact's name": contact.full_name})
    if broken:  # stored before line breaks were refused: retrying can never succeed
        return "; ".join(str(problem) for problem in broken)
    refused = rules.refusal(contact_status=contact.status, contact_email=contact.email, kind=row.kind,
                            subject=row.subject, body=row.body_text, do_not_email=contact.do_not_email)
    return refused.reason if refused else None


def _stop(session: Session, row: OutboundMessage, reason: str) -> None:
    row.status, row.next_attempt_at, row.last_error = "refused", None, f"not retried: {reason}"
    session.flush()
    session.commit()


def history(session: Session, actor: Actor, contact_id: int | None = None) -> list[dict[str, Any]]:
    """What was sent (or failed) to a contact, or everything the actor sent."""
    if contact_id is not None:
        get_contact(session, actor, contact_id)
        rows = repository.of_contact(session, contact_id)
    else:
        rows = repository.of_rep(session, actor.id)
    return [describe(row) for row in rows]


def describe(row: OutboundMessage) -> dict[str, Any]:
    return {"id": row.id, "contact_id": row.contact_id, "kind": row.kind, "subject": row.subject,
            "status": row.status, "attempts": row.attempts, "last_error": row.last_error,
            "next_attempt_at": row.next_attempt_at, "sent_at": row.sent_at, "created_at": row.created_at,
            "invite_at": row.invite_at, "message_id": row.message_id}
