from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import aliased

from ember.models import Account, Alert, Contact, Deal, MessageVariant, NextStep, PlannedTouch
from ember.vocabulary import NextStepStatus, PlannedTouchStatus

_CONTACT_COLUMNS = (Contact.id, Contact.first_name, Contact.last_name, Contact.email, Contact.timezone,
                    Account.timezone)


def due_plans(session: Any, rep_id: int, until: datetime, limit: int) -> list[Row[Any]]:
    """The rep's planned touches due by ``until``, with what the queue shows. Uses the
    (rep_id, status, due_at) index, so it stays fast with millions of rows."""
    query = (
        select(PlannedTouch.id, PlannedTouch.kind, PlannedTouch.channel, PlannedTouch.due_at, PlannedTouch.label,
               PlannedTouch.purpose, PlannedTouch.reason, MessageVariant.key, MessageVariant.body,
               Deal.id, Deal.name, *_CONTACT_COLUMNS)
        .join(Contact, Contact.id == PlannedTouch.contact_id)
        .outerjoin(Account, Account.id == Contact.account_id)
        .outerjoin(Deal, Deal.id == PlannedTouch.deal_id)
        .outerjoin(MessageVariant, MessageVariant.id == PlannedTouch.message_variant_id)
        .where(PlannedTouch.rep_id == rep_id, PlannedTouch.status == PlannedTouchStatus.PLANNED.value,
               PlannedTouch.due_at <= until)
        .order_by(PlannedTouch.due_at)
        .limit(limit)
    )
    return list(session.execute(query))


def due_next_steps(session: Any, rep_id: int, until: datetime, limit: int) -> list[Row[Any]]:
    deal = aliased(Deal)
    query = (
        select(NextStep.id, NextStep.type, NextStep.owner_side, NextStep.due_at, NextStep.due_phrase, NextStep.quote,
               deal.id, deal.name, *_CONTACT_COLUMNS)
        .join(Contact, Contact.id == NextStep.contact_id)
        .outerjoin(Account, Account.id == Contact.account_id)
        .outerjoin(deal, deal.id == NextStep.deal_id)
        .where(NextStep.rep_id == rep_id, NextStep.status == NextStepStatus.OPEN.value,
               # Undated commitments stay on the list until someone gives them a date.
               NextStep.due_at.is_(None) | (NextStep.due_at <= until))
        .order_by(NextStep.due_at.is_(None), NextStep.due_at)
        .limit(limit)
    )
    return list(session.execute(query))


def unseen_alerts(session: Any, rep_id: int, limit: int) -> list[Row[Any]]:
    query = (
        select(Alert.id, Alert.summary, Alert.created_at, *_CONTACT_COLUMNS)
        .join(Contact, Contact.id == Alert.contact_id)
        .outerjoin(Account, Account.id == Contact.account_id)
        .where(Alert.rep_id == rep_id, Alert.seen_at.is_(None))
        .order_by(Alert.created_at.desc())
        .limit(limit)
    )
    return list(session.execute(query))
