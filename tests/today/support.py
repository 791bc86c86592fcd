"""A rep's Today with one of each kind of row, written straight to the test database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Engine, select

from ember.db import unit_of_work
from ember.messages.service import ensure_defaults
from ember.models import Account, Contact, MessageVariant, NextStep, PlannedTouch


@dataclass(frozen=True)
class TodayData:
    contacts: dict[str, int]
    plans: dict[str, int]
    step: int


def _contact(session, owner_id: int, first: str, account: Account, now: datetime) -> Contact:  # type: ignore[no-untyped-def]
    contact = Contact(owner_id=owner_id, account_id=account.id, first_name=first, last_name="Berger",
                      email=f"{first.lower()}@nordwerk.example", phone="+49 30 1234567", timezone="Europe/Berlin",
                      country="DE", created_at=now - timedelta(days=40))
    session.add(contact)
    session.flush()
    return contact


def seed_today(engine: Engine, rep_id: int, *, overdue: int = 1) -> TodayData:
    """An overdue call (gatekeeper text ready), a call due in an hour, an email and an open promise."""
    now = datetime.now(UTC)
    # "Later today" must stay today for a rep on UTC even when the suite runs just before midnight.
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), UTC)
    later_today = now + min(timedelta(minutes=30), (midnight - now) / 2)
    with unit_of_work(engine) as session:
        ensure_defaults(session)
        variant = session.scalar(select(MessageVariant.id).where(MessageVariant.key == "gk-ftc-1"))
        account = Account(name="Nordwerk GmbH", owner_id=rep_id, timezone="Europe/Berlin", country="DE")
        session.add(account)
        session.flush()
        contacts = {name: _contact(session, rep_id, name, account, now) for name in ("Maren", "Jonas", "Ida")}
        plans = {}
        for n in range(overdue):
            plan = PlannedTouch(contact_id=contacts["Maren"].id, rep_id=rep_id, kind="ftc", channel="call",
                                due_at=now - timedelta(days=9 + n), label="FTC #1", purpose="Get a first conversation",
                                message_variant_id=variant, reason="First attempt: nobody reached yet.")
            session.add(plan)
            session.flush()
            plans.setdefault("overdue", plan.id)
        for key, name, channel, due in (("later", "Jonas", "call", later_today),
                                        ("email", "Ida", "email", now - timedelta(days=2))):
            plan = PlannedTouch(contact_id=contacts[name].id, rep_id=rep_id, kind="ftc", channel=channel,
                                due_at=due, label="FTC #1", purpose="Get a first conversation", reason="First try.")
            session.add(plan)
            session.flush()
            plans[key] = plan.id
        step = NextStep(contact_id=contacts["Jonas"].id, rep_id=rep_id, type="documents", owner_side="rep",
                        due_at=now - timedelta(days=1), quote="I'll send you the security paper tomorrow.")
        session.add(step)
        session.flush()
        return TodayData({k: c.id for k, c in contacts.items()}, plans, step.id)
