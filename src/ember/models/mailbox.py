from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class Mailbox(Timestamped, Base):
    """A rep's own mailbox, read by IMAP so replies, bounces and sent mail log themselves.

    ``secret`` is the password or OAuth2 access token, encrypted with the
    installation's inbox key; it is never shown again once stored.
    """

    __tablename__ = "mailboxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int]
    security: Mapped[str] = mapped_column(String(10), default="ssl")  # ssl | starttls
    username: Mapped[str] = mapped_column(String(320))
    auth: Mapped[str] = mapped_column(String(10), default="password")  # password | xoauth2
    secret: Mapped[str] = mapped_column(Text)
    inbox_folder: Mapped[str] = mapped_column(String(200), default="INBOX")
    sent_folder: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="new")  # new | ok | failed
    last_error: Mapped[str | None] = mapped_column(Text)
    last_sync_at: Mapped[datetime | None]


class MailboxFolder(Base):
    """How far a folder has been read: every UID up to ``last_uid`` is done."""

    __tablename__ = "mailbox_folders"
    __table_args__ = (UniqueConstraint("mailbox_id", "folder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    folder: Mapped[str] = mapped_column(String(200))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)


class InboundMail(Timestamped, Base):
    """One message of a rep's mailbox that concerned a contact, and what Ember did with it."""

    __tablename__ = "inbound_mails"
    __table_args__ = (UniqueConstraint("mailbox_id", "folder", "uidvalidity", "uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"), index=True)
    folder: Mapped[str] = mapped_column(String(200))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[str | None] = mapped_column(String(300), index=True)
    from_email: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300), default="")
    received_at: Mapped[datetime]
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    outbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_messages.id", ondelete="SET NULL"))
    # reply | out_of_office | bounce_hard | bounce_soft | unsubscribe | sent
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    return_at: Mapped[datetime | None]
    quote: Mapped[str] = mapped_column(Text, default="")
    touch_id: Mapped[int | None] = mapped_column(ForeignKey("touches.id", ondelete="SET NULL"))
    # done | to_confirm (a free-text removal request waits for the rep) | confirmed | declined
    status: Mapped[str] = mapped_column(String(12), default="done")
