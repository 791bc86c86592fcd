"""The Today queue's three reads. Each uses a (rep, status, due) index and a limit,
so its cost follows the queue's length, not the size of the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from ember.db import typed_rows
from ember.models import Account, Alert, Contact, Deal, MessageVariant, NextStep, PlannedTouch
from ember.vocabulary import NextStepStatus, PlannedTouchStatus


@dataclass(frozen=True, slots=True)
class QueueContact:
    """Who a queue row is about, and the time zones that say when it is for them."""

    contact_id: int
    first_name: str
    last_name: str
    email: str | None
    contact_tz: str | None
    account_tz: str | None


@dataclass(frozen=True, slots=True)
class DuePlan(QueueContact):
    id: int
    kind: str
    channel: str
    due_at: datetime
    label: str | None
    purpose: str
    reason: str
    variant_key: str | None
    body: str | None
    deal_id: int | None
    deal_name: str | None


@dataclass(frozen=True, slots=True)
class DueStep(QueueContact):
    id: int
    type: str
    owner_side: str
    due_at: datetime | None
    due_phrase: str | None
    quote: str | None
    deal_id: int | None
    deal_name: str | None


@dataclass(frozen=True, slots=True)
class UnseenAlert(QueueContact):
    id: int
    summary: str
    created_at: datetime


_CONTACT_COLUMNS = (Contact.id.label("contact_id"), Contact.first_name, Contact.last_name, Contact.email,
                    Contact.timezone.label("contact_tz"), Account.timezone.label("account_tz"))
_DEAL_COLUMNS = (Deal.id.label("deal_id"), Deal.name.label("deal_name"))
_REP: BindParameter[int] = bindparam("rep")
_UNTIL: BindParameter[datetime] = bindparam("until")
_LIMIT: BindParameter[int] = bindparam("limit")

# Built once: constructing a statement costs more than running it on a short queue.
_DUE_PLANS = (
    select(PlannedTouch.id, PlannedTouch.kind, PlannedTouch.channel, PlannedTouch.due_at, PlannedTouch.label,
           PlannedTouch.purpose, PlannedTouch.reason, MessageVariant.key.label("variant_key"), MessageVariant.body,
           *_DEAL_COLUMNS, *_CONTACT_COLUMNS)
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
           *_DEAL_COLUMNS, *_CONTACT_COLUMNS)
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


def due_plans(session: Session, rep_id: int, until: datetime, limit: int) -> list[DuePlan]:
    return typed_rows(DuePlan, session.execute(_DUE_PLANS, {"rep": rep_id, "until": until, "limit": limit}))


def due_next_steps(session: Session, rep_id: int, until: datetime, limit: int) -> list[DueStep]:
    steps = typed_rows(DueStep, session.execute(_DATED_STEPS, {"rep": rep_id, "until": until, "limit": limit}))
    if len(steps) < limit:
        steps += typed_rows(DueStep, session.execute(_UNDATED_STEPS, {"rep": rep_id, "limit": limit - len(steps)}))
    return steps


def unseen_alerts(session: Session, rep_id: int, limit: int) -> list[UnseenAlert]:
    return typed_rows(UnseenAlert, session.execute(_UNSEEN_ALERTS, {"rep": rep_id, "limit": limit}))


# ---- the worklist page: groups read a page at a time, with counts ----

@dataclass(frozen=True, slots=True)
class LineContact(QueueContact):
    """A worklist row's contact: the queue's columns plus what the row shows to dial or write."""

    phone: str | None
    company: str | None


@dataclass(frozen=True, slots=True)
class PlanLine(LineContact):
    id: int
    kind: str
    channel: str
    due_at: datetime
    label: str | None
    purpose: str
    reason: str
    body: str | None
    deal_id: int | None
    deal_name: str | None


@dataclass(frozen=True, slots=True)
class StepLine(LineContact):
    id: int
    type: str
    owner_side: str
    due_at: datetime | None
    due_phrase: str | None
    quote: str | None
    created_at: datetime
    deal_id: int | None
    deal_name: str | None


@dataclass(frozen=True, slots=True)
class AlertLine(LineContact):
    id: int
    summary: str
    created_at: datetime


_ROW_CONTACT = (*_CONTACT_COLUMNS, Contact.phone, Account.name.label("company"))


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
              channel: str | None, kind: str | None, offset: int, limit: int) -> list[PlanLine]:
    """Planned touches due in [after, before), oldest first, one page of them."""
    query = (
        select(PlannedTouch.id, PlannedTouch.kind, PlannedTouch.channel, PlannedTouch.due_at, PlannedTouch.label,
               PlannedTouch.purpose, PlannedTouch.reason, MessageVariant.body, *_DEAL_COLUMNS, *_ROW_CONTACT)
        .join(Contact, Contact.id == PlannedTouch.contact_id)
        .outerjoin(Account, Account.id == Contact.account_id)
        .outerjoin(Deal, Deal.id == PlannedTouch.deal_id)
        .outerjoin(MessageVariant, MessageVariant.id == PlannedTouch.message_variant_id)
        .where(*_plan_filter(rep_id, after, before, channel, kind))
        .order_by(PlannedTouch.due_at, PlannedTouch.id).offset(offset).limit(limit)
    )
    return typed_rows(PlanLine, session.execute(query))


def plan_count(session: Session, rep_id: int, *, after: datetime | None, before: datetime | None,
               channel: str | None, kind: str | None) -> int:
    query = select(func.count()).select_from(PlannedTouch).where(*_plan_filter(rep_id, after, before, channel, kind))
    return int(session.scalar(query) or 0)


def _step_filter(rep_id: int, until: datetime, undated_since: datetime) -> list[Any]:
    # An undated promise is due a set number of days after it was made (see the settings).
    return [NextStep.rep_id == rep_id, NextStep.status == NextStepStatus.OPEN.value,
            or_(NextStep.due_at <= until, and_(NextStep.due_at.is_(None), NextStep.created_at <= undated_since))]


def step_page(session: Session, rep_id: int, *, until: datetime, undated_since: datetime, offset: int,
              limit: int) -> list[StepLine]:
    query = (
        select(NextStep.id, NextStep.type, NextStep.owner_side, NextStep.due_at, NextStep.due_phrase,
               NextStep.quote, NextStep.created_at, *_DEAL_COLUMNS, *_ROW_CONTACT)
        .join(Contact, Contact.id == NextStep.contact_id)
        .outerjoin(Account, Account.id == Contact.account_id)
        .outerjoin(Deal, Deal.id == NextStep.deal_id)
        .where(*_step_filter(rep_id, until, undated_since))
        .order_by(func.coalesce(NextStep.due_at, NextStep.created_at), NextStep.id).offset(offset).limit(limit)
    )
    return typed_rows(StepLine, session.execute(query))


def step_count(session: Session, rep_id: int, *, until: datetime, undated_since: datetime) -> int:
    query = select(func.count()).select_from(NextStep).where(*_step_filter(rep_id, until, undated_since))
    return int(session.scalar(query) or 0)


def alert_page(session: Session, rep_id: int, *, offset: int, limit: int) -> list[AlertLine]:
    query = (
        select(Alert.id, Alert.summary, Alert.created_at, *_ROW_CONTACT)
        .join(Contact, Contact.id == Alert.contact_id)
        .outerjoin(Account, Account.id == Contact.account_id)
        .where(Alert.rep_id == rep_id, Alert.seen_at.is_(None))
        .order_by(Alert.created_at.desc(), Alert.id.desc()).offset(offset).limit(limit)
    )
    return typed_rows(AlertLine, session.execute(query))


def alert_count(session: Session, rep_id: int) -> int:
    query = select(func.count()).select_from(Alert).where(Alert.rep_id == rep_id, Alert.seen_at.is_(None))
    return int(session.scalar(query) or 0)


def stale_plan_contacts(session: Session, rep_id: int, before: datetime) -> list[int]:
    """Contacts whose open plan was due before ``before``: the backlog to re-plan."""
    query = (select(PlannedTouch.contact_id).distinct()
             .where(*_plan_filter(rep_id, None, before, None, None), PlannedTouch.kind != "multithread"))
    return list(session.scalars(query))
