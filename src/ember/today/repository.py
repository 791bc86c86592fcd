"""The Today queue's three reads. Each uses a (rep, status, due) index and a limit,
so its cost follows the queue's length, not the size of the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Row, bindparam, select
from sqlalchemy.orm import Session

from ember.models import Account, Alert, Contact, Deal, MessageVariant, NextStep, PlannedTouch
from ember.vocabulary import NextStepStatus, PlannedTouchStatus

_CONTACT_COLUMNS = (Contact.id, Contact.first_name, Contact.last_name, Contact.email, Contact.timezone,
                    Account.timezone)
_REP: BindParameter[int] = bindparam("rep")
_UNTIL: BindParameter[datetime] = bindparam("until")
_LIMIT: BindParameter[int] = bindparam("limit")

# Built once: constructing a statement costs more than running it on a short queue.
_DUE_PLANS = (
    select(PlannedTouch.id, PlannedTouch.kind, PlannedTouch.channel, PlannedTouch.due_at, PlannedTouch.label,
           PlannedTouch.purpose, PlannedTouch.reason, MessageVariant.key, MessageVariant.body,
           Deal.id, Deal.name, *_CONTACT_COLUMNS)
    .join(Contact, Contact.id == PlannedTouch.contact_id)
    .outerjoin(Account, Account.id == Contact.account_id)
    .outerjoin(Deal, Deal.id == PlannedTouch.deal_id)
    .outerjoin(MessageVariant, MessageVariant.id == PlannedTouch.message_variant_id)
    .where(PlannedTouch.rep_id == _REP, PlannedTouch.status == PlannedTouchStatus.PLANNED.value,
           PlannedTouch.due_at <= _UNTIL)
    .order_by(PlannedTouch.due_at)
    .limit(_LIMIT)
)

_STEPS = (
    select(NextStep.id, NextStep.type, NextStep.owner_side, NextStep.due_at, NextStep.due_phrase, NextStep.quote,
           Deal.id, Deal.name, *_CONTACT_COLUMNS)
    .join(Contact, Contact.id == NextStep.contact_id)
    .outerjoin(Account, Account.id == Contact.account_id)
    .outerjoin(Deal, Deal.id == NextStep.deal_id)
    .where(NextStep.rep_id == _REP, NextStep.status == NextStepStatus.OPEN.value)
)
_DATED_STEPS = _STEPS.where(NextStep.due_at <= _UNTIL).order_by(NextStep.due_at).limit(_LIMIT)
# Undated commitments stay on the list until someone gives them a date.
_UNDATED_STEPS = _STEPS.where(NextStep.due_at.is_(None)).order_by(NextStep.id).limit(_LIMIT)

_UNSEEN_ALERTS = (
    select(Alert.id, Alert.summary, Alert.created_at, *_CONTACT_COLUMNS)
    .join(Contact, Contact.id == Alert.contact_id)
    .outerjoin(Account, Account.id == Contact.account_id)
    .where(Alert.rep_id == _REP, Alert.seen_at.is_(None))
    .order_by(Alert.created_at.desc())
    .limit(_LIMIT)
)


def due_plans(session: Session, rep_id: int, until: datetime, limit: int) -> list[Row[Any]]:
    return list(session.execute(_DUE_PLANS, {"rep": rep_id, "until": until, "limit": limit}))


def due_next_steps(session: Session, rep_id: int, until: datetime, limit: int) -> list[Row[Any]]:
    rows: list[Row[Any]] = list(session.execute(_DATED_STEPS, {"rep": rep_id, "until": until, "limit": limit}))
    if len(rows) < limit:
        rows += session.execute(_UNDATED_STEPS, {"rep": rep_id, "limit": limit - len(rows)})
    return rows


def unseen_alerts(session: Session, rep_id: int, limit: int) -> list[Row[Any]]:
    return list(session.execute(_UNSEEN_ALERTS, {"rep": rep_id, "limit": limit}))
