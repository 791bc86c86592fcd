"""Shared by the compose and outbound tests: a real local SMTP server and a contact with an analysed call."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import Engine

from ember.calls.service import add_call
from ember.db import unit_of_work
from ember.models import Account, Contact, Deal, DealStakeholder, User
from ember.settings import Settings
from ember.users.access import Actor

DISCOVERY_CALL = Path(__file__).parent / "calls" / "discovery_call.vtt"
CALL_AT = datetime(2026, 3, 4, 21, 0, tzinfo=UTC)  # 15:00 in Chicago


@dataclass
class Mailbox:
    """What the SMTP server received; ``fail_with`` makes it answer every message with that reply."""

    received: list[EmailMessage] = field(default_factory=list)
    fail_with: str | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.fail_with:
            return self.fail_with
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        self.received.append(message)  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def add_contact(engine: Engine, rep_id: int, *, email: str = "marco@harbor.example", status: str = "active",
                with_deal: bool = True, referred_by: str | None = None) -> int:
    with unit_of_work(engine) as session:
        account = Account(name="Harbor Foods", industry="wholesale", timezone="America/Chicago", owner_id=rep_id)
        session.add(account)
        session.flush()
        contact = Contact(owner_id=rep_id, account_id=account.id, first_name="Marco", last_name="Ruiz", email=email,
                          title="Sales Operations Lead", timezone="America/Chicago", country="US",
                          preferred_channel="email", status=status)
        session.add(contact)
        session.flush()
        if with_deal:
            deal = Deal(owner_id=rep_id, account_id=account.id, name="Harbor pilot", stage="discovery",
                        qualification={}, referred_by_name=referred_by,
                        source="referral" if referred_by else None)
            session.add(deal)
            session.flush()
            session.add(DealStakeholder(deal_id=deal.id, contact_id=contact.id, is_primary=True))
        return contact.id


def record_demo_call(engine: Engine, settings: Settings, rep_email: str, contact_id: int) -> None:
    """The Done-when precondition: a discovery call, recorded and analysed through the calls service."""
    with unit_of_work(engine) as session:
        from sqlalchemy import select

        user = session.scalar(select(User).where(User.email == rep_email))
        assert user is not None
        add_call(session, Actor.of(user), contact_id=contact_id, transcript=DISCOVERY_CALL.read_text(),
                 filename=DISCOVERY_CALL.name, settings=settings.cadence.planning(), at=CALL_AT)


def parts(message: EmailMessage) -> dict[str, str]:
    """content type -> decoded content of every leaf part."""
    found = {}
    for part in message.walk():
        if not part.is_multipart():
            found[part.get_content_type()] = part.get_content()
    return found
