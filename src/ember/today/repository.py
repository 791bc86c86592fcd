"""The Today queue's three reads. Each uses a (rep, status, due) index and a limit,
so its cost follows the queue's length, not the size of the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Row, and_, bindparam, func, or_, select
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


# ---- the worklist page: groups read a page at a time, with counts ----

_ROW_CONTACT = (Contact.id, Contact.first_name, Contact.last_name, Contact.email, Contact.phone, Contact.timezone,
                Account.timezone, Account.name)


def _plan_filter(rep_id: int, after: datetime | None, before: datetime | None, channel: str | None,
                 kind: str | None) -> list[Any]:
    where: list[Any] = [PlannedTouch.rep_id == rep_id, PlannedTouch.status == PlannedTouchStatus.PLANNED.value]
    if after is not None:
        where.append(PlannedTouch.due_at >= after)
    if before is not None:
        where.append(PlannedTouch.due_at < before)
    if channel:
        where.append(PlannedTouch.channel == channel)
    if kind:
        where.append(PlannedTouch.kind == kind)
    return where


def plan_page(session: Session, rep_id: int, *, after: datetime | None, before: datetime | None,
              channel: str | None, kind: str | None, offset: int, limit: int) -> list[Row[Any]]:
    """Planned touches due in [after, before), oldest first, one page of them."""
    query = (
        select(PlannedTouch.id, PlannedTouch.kind, PlannedTouch.channel, PlannedTouch.due_at, PlannedTouch.label,
               PlannedTouch.purpose, PlannedTouch.reason, MessageVariant.body, Deal.id, Deal.name, *_ROW_CONTACT)
        .join(Contact, Contact.id == PlannedTouch.contact_id)
        .outerjoin(Account, Account.id == Contact.account_id)
        .outerjoin(Deal, Deal.id == PlannedTouch.deal_id)
        .outerjoin(MessageVariant, MessageVariant.id == PlannedTouch.message_variant_id)
        .where(*_plan_filter(rep_id, after, before, channel, kind))
        .order_by(PlannedTouch.due_at, PlannedTouch.id).offset(offset).limit(limit)
    )
    return list(session.execute(query))


def plan_count(session: Session, rep_id: int, *, after: datetime | None, before: datetime | None,
               channel: str | None, kind: str | None) -> int:
    query = select(func.count()).select_from(PlannedTouch).where(*_plan_filter(rep_id, after, before, channel, kind))
    return int(session.scalar(query) or 0)


def _step_filter(rep_id: int, until: datetime, undated_since: datetime) -> list[Any]:
    # An undated promise is due a set number of days after it was made (see the settings).
    return [NextStep.rep_id == rep_id, NextStep.status == NextStepStatus.OPEN.value,
            or_(NextStep.due_at <= until, and_(NextStep.due_at.is_(None), NextStep.created_at <= undated_since))]


def step_page(session: Session, rep_id: int, *, until: datetime, undated_since: datetime, offset: int,
              limit: int) -> list[Row[Any]]:
    query = (
        select(NextStep.id, NextStep.type, NextStep.owner_side, NextStep.due_at, NextStep.due_phrase,
               NextStep.quote, NextStep.created_at, Deal.id, Deal.name, *_ROW_CONTACT)
        .join(Contact, Contact.id == NextStep.contact_id)
        .outerjoin(Account, Account.id == Contact.account_id)
        .outerjoin(Deal, Deal.id == NextStep.deal_id)
        .where(*_step_filter(rep_id, until, undated_since))
        .order_by(func.coalesce(NextStep.due_at, NextStep.created_at), NextStep.id).offset(offset).limit(limit)
    )
    return list(session.execute(query))


def step_count(session: Session, rep_id: int, *, until: datetime, undated_since: datetime) -> int:
    query = select(func.count()).select_from(NextStep).where(*_step_filter(rep_id, until, undated_since))
    return int(session.scalar(query) or 0)


def alert_page(session: Session, rep_id: int, *, offset: int, limit: int) -> list[Row[Any]]:
    query = (
        select(Alert.id, Alert.summary, Alert.created_at, *_ROW_CONTACT)
        .join(Contact, Contact.id == Alert.contact_id)
        .outerjoin(Account, Account.id == Contact.account_id)
        .where(Alert.rep_id == rep_id, Alert.seen_at.is_(None))
        .order_by(Alert.created_at.desc(), Alert.id.desc()).offset(offset).limit(limit)
    )
    return list(session.execute(query))


def alert_count(session: Session, rep_id: int) -> int:
    query = select(func.count()).select_from(Alert).where(Alert.rep_id == rep_id, Alert.seen_at.is_(None))
    return int(session.scalar(query) or 0)


def stale_plan_contacts(session: Session, rep_id: int, before: datetime) -> list[int]:
    """Contacts whose open plan was due before ``before``: the backlog to re-plan."""
    query = (select(PlannedTouch.contact_id).distinct()
             .where(*_plan_filter(rep_id, None, before, None, None), PlannedTouch.kind != "multithread"))
    return list(session.scalars(query))
