"""Every query of inbox sync."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ember.db import insert_or_ignore, typed_rows
from ember.models import Contact, InboundMail, Mailbox, MailboxFolder, OutboundMessage, PlannedTouch, User
from ember.users.access import Actor
from ember.users.repository import owner_scope
from ember.vocabulary import PlannedTouchStatus

REPLY_KIND = "reply"  # the planned touch that puts an answer to write at the top of Today


def mailbox_of(session: Session, user_id: int) -> Mailbox | None:
    return session.scalar(select(Mailbox).where(Mailbox.user_id == user_id))


def mailbox_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Mailbox.id).order_by(Mailbox.id)))


@dataclass(frozen=True, slots=True)
class MailboxWithOwner:
    mailbox: Mailbox
    owner: User


def mailbox_with_owner(session: Session, mailbox_id: int) -> MailboxWithOwner | None:
    query = select(Mailbox, User).join(User, User.id == Mailbox.user_id).where(Mailbox.id == mailbox_id)
    for mailbox, owner in session.execute(query):
        return MailboxWithOwner(mailbox, owner)
    return None


def folder_state(session: Session, mailbox_id: int, folder: str) -> MailboxFolder | None:
    return session.scalar(select(MailboxFolder).where(MailboxFolder.mailbox_id == mailbox_id,
                                                      MailboxFolder.folder == folder))


def save_cursor(session: Session, mailbox_id: int, folder: str, uidvalidity: int, last_uid: int) -> None:
    """Move the folder's cursor forward (never back: a late writer cannot undo progress)."""
    session.execute(insert_or_ignore(session, MailboxFolder.__table__).values(
        mailbox_id=mailbox_id, folder=folder, uidvalidity=uidvalidity, last_uid=0))
    session.execute(update(MailboxFolder).where(
        MailboxFolder.mailbox_id == mailbox_id, MailboxFolder.folder == folder,
        (MailboxFolder.uidvalidity != uidvalidity) | (MailboxFolder.last_uid < last_uid),
    ).values(uidvalidity=uidvalidity, last_uid=last_uid).execution_options(synchronize_session=False))


def contacts_by_email(session: Session, actor: Actor, emails: Iterable[str]) -> dict[str, int]:
    """Contacts the mailbox owner may see, by lower-case address."""
    wanted = sorted({e.lower() for e in emails if e})
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        rows = session.execute(select(func.lower(Contact.email), Contact.id)
                               .where(func.lower(Contact.email).in_(chunk), owner_scope(actor, Contact.owner_id)))
        found.update({email: id_ for email, id_ in rows})
    return found


@dataclass(frozen=True, slots=True)
class SentByUs:
    """One of Ember's own sent messages, as a reply or a delivery report names it."""

    outbound_id: int
    contact_id: int


def outbound_by_message_id(session: Session, message_ids: Iterable[str]) -> dict[str, SentByUs]:
    """Ember's own sent messages by Message-ID."""
    wanted = sorted({m for m in message_ids if m})
    found: dict[str, SentByUs] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(select(OutboundMessage.message_id, OutboundMessage.id, OutboundMessage.contact_id)
                               .where(OutboundMessage.message_id.in_(wanted[start:start + 500])))
        found.update({mid: SentByUs(id_, contact_id) for mid, id_, contact_id in rows if mid})
    return found


def outbound_message(session: Session, outbound_id: int) -> OutboundMessage | None:
    return session.get(OutboundMessage, outbound_id)


def mailbox_by_id(session: Session, mailbox_id: int) -> Mailbox | None:
    return session.get(Mailbox, mailbox_id)


def insert_mail(session: Session, values: dict[str, Any]) -> InboundMail | None:
    """The mail's row, or None when this UID was processed before (nothing twice). One statement:
    the row comes back from the insert itself."""
    return session.scalar(insert_or_ignore(session, InboundMail).values(**values).returning(InboundMail))


def stored_message_ids(session: Session, mailbox_id: int, folder: str, message_ids: Iterable[str | None]) -> set[str]:
    """Those of these Message-IDs already processed in the folder (under any UID: the server may
    have renumbered it)."""
    wanted = sorted({m for m in message_ids if m})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(m for m in session.scalars(select(InboundMail.message_id).where(
            InboundMail.mailbox_id == mailbox_id, InboundMail.folder == folder,
            InboundMail.message_id.in_(wanted[start:start + 500]))) if m)
    return found


_PAUSED_KINDS = ("ftc", "follow_up", "callback", "trigger")  # what waits while an answer is to be written


@dataclass(frozen=True, slots=True)
class OpenPlans:
    """A contact's planned touches that an answer to write pauses (soonest first), and that answer,
    as they stand now: read before a touch closed one of them, they leave it out."""

    found: list[PlannedTouch]

    @property
    def plans(self) -> list[PlannedTouch]:
        return [p for p in self.found if p.kind != REPLY_KIND and p.status == PlannedTouchStatus.PLANNED.value]

    @property
    def reply(self) -> PlannedTouch | None:
        return next((p for p in self.found if p.kind == REPLY_KIND and p.status == PlannedTouchStatus.PLANNED.value),
                    None)


def open_plans(session: Session, contact_id: int) -> list[PlannedTouch]:
    return list(session.scalars(select(PlannedTouch).where(
        PlannedTouch.contact_id == contact_id, PlannedTouch.status == PlannedTouchStatus.PLANNED.value,
        PlannedTouch.kind.in_(_PAUSED_KINDS)).order_by(PlannedTouch.due_at)))


def open_plans_and_replies(session: Session, contact_ids: Iterable[int]) -> dict[int, OpenPlans]:
    """For each of these contacts (all of them, even those with none), what :class:`OpenPlans` holds."""
    wanted = sorted(set(contact_ids))
    found: dict[int, OpenPlans] = {contact_id: OpenPlans([]) for contact_id in wanted}
    for start in range(0, len(wanted), 500):
        for plan in session.scalars(select(PlannedTouch).where(
                PlannedTouch.contact_id.in_(wanted[start:start + 500]),
                PlannedTouch.status == PlannedTouchStatus.PLANNED.value,
                PlannedTouch.kind.in_((*_PAUSED_KINDS, REPLY_KIND))).order_by(PlannedTouch.due_at, PlannedTouch.id)):
            found[plan.contact_id].found.append(plan)
    return found


def mails(session: Session, mailbox_id: int, *, status: str | None = None, limit: int = 100) -> list[InboundMail]:
    query = select(InboundMail).where(InboundMail.mailbox_id == mailbox_id)
    if status:
        query = query.where(InboundMail.status == status)
    return list(session.scalars(query.order_by(InboundMail.received_at.desc(), InboundMail.id.desc()).limit(limit)))


def mail(session: Session, mail_id: int) -> InboundMail | None:
    return session.get(InboundMail, mail_id)


@dataclass(frozen=True, slots=True)
class ReplyDue:
    """An open answer to write, with the contact it goes to."""

    plan_id: int
    due_at: datetime
    purpose: str
    reason: str
    deal_id: int | None
    contact_id: int
    first_name: str
    last_name: str
    email: str | None


def replies_due(session: Session, rep_id: int, limit: int) -> list[ReplyDue]:
    """Open answers to write, newest first, with the contact's name (for the Today queue)."""
    return typed_rows(ReplyDue, session.execute(
        select(PlannedTouch.id.label("plan_id"), PlannedTouch.due_at, PlannedTouch.purpose, PlannedTouch.reason,
               PlannedTouch.deal_id, Contact.id.label("contact_id"), Contact.first_name, Contact.last_name,
               Contact.email)
        .join(Contact, Contact.id == PlannedTouch.contact_id)
        .where(PlannedTouch.rep_id == rep_id, PlannedTouch.kind == REPLY_KIND,
               PlannedTouch.status == PlannedTouchStatus.PLANNED.value)
        .order_by(PlannedTouch.due_at.desc()).limit(limit)))


def mark_synced(session: Session, mailbox_id: int, *, at: datetime, error: str | None) -> None:
    session.execute(update(Mailbox).where(Mailbox.id == mailbox_id).values(
        status="failed" if error else "ok", last_error=error, last_sync_at=at))
