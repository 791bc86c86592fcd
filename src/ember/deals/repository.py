"""Every query behind the pipeline and the deal page.

The pipeline reads one page of deals first and then the figures of only those
deals (touches, next step), so a rep with thousands of open deals costs the same
as one with fifty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from ember.models import Account, Call, Contact, Deal, DealStakeholder, NextStep, Touch, User
from ember.users.access import Actor
from ember.users.repository import owner_scope


@dataclass(frozen=True)
class PipelineFilter:
    stage: str | None = None
    owner_id: int | None = None
    stalled_only: bool = False
    search: str | None = None
    include_closed: bool = True


@dataclass(frozen=True, slots=True)
class StageTotal:
    deals: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DealLine:
    """A pipeline row as read: the deal with its owner's and account's names."""

    deal: Deal
    owner: str
    account: str | None


@dataclass(frozen=True, slots=True)
class TouchFigures:
    last_touch: datetime | None
    follow_ups: int


@dataclass(frozen=True, slots=True)
class DealWithOwner:
    deal: Deal
    owner: User
    account: str | None


@dataclass(frozen=True, slots=True)
class Stakeholder:
    link: DealStakeholder
    contact: Contact


@dataclass(frozen=True, slots=True)
class DealTouch:
    """A touch on the deal with the contact's name and the call recorded on it, if any."""

    touch: Touch
    first_name: str
    last_name: str
    call_id: int | None


def deal_by_id(session: Session, deal_id: int) -> Deal | None:
    return session.get(Deal, deal_id)


def visible_deals(actor: Actor, *, stage: str | None, limit: int, offset: int) -> Select[Deal]:
    query = select(Deal).where(owner_scope(actor, Deal.owner_id))
    if stage:
        query = query.where(Deal.stage == stage)
    return query.order_by(Deal.id).limit(limit).offset(offset)


def deal_id_with_external_id(session: Session, external_id: str | None) -> int | None:
    if not external_id:
        return None
    return session.scalar(select(Deal.id).where(Deal.external_id == external_id))


def list_deals(session: Session, actor: Actor, *, stage: str | None, limit: int, offset: int) -> list[Deal]:
    return list(session.scalars(visible_deals(actor, stage=stage, limit=limit, offset=offset)))


def deal_with_owner(session: Session, deal_id: int) -> DealWithOwner | None:
    """The deal, its owner (who decides who may see it) and its account's name."""
    query = (select(Deal, User, Account.name).join(User, User.id == Deal.owner_id)
             .outerjoin(Account, Account.id == Deal.account_id).where(Deal.id == deal_id))
    for deal, owner, account in session.execute(query):
        return DealWithOwner(deal, owner, account)
    return None


def stakeholder(session: Session, deal_id: int, contact_id: int) -> DealStakeholder | None:
    return session.scalar(select(DealStakeholder).where(DealStakeholder.deal_id == deal_id,
                                                        DealStakeholder.contact_id == contact_id))


def stakeholder_links(session: Session, deal_id: int) -> list[DealStakeholder]:
    return list(session.scalars(select(DealStakeholder).where(DealStakeholder.deal_id == deal_id)))


def _conditions(actor: Actor, wanted: PipelineFilter, closed: list[str], stall_after: int) -> list[Any]:
    conditions: list[Any] = [owner_scope(actor, Deal.owner_id)]
    if wanted.stage:
        conditions.append(Deal.stage == wanted.stage)
    elif not wanted.include_closed:
        conditions.append(Deal.stage.not_in(closed))
    if wanted.owner_id is not None:
        conditions.append(Deal.owner_id == wanted.owner_id)
    if wanted.search:
        conditions.append(Deal.name.ilike(f"%{wanted.search}%"))
    if wanted.stalled_only:
        conditions.extend([Deal.stage.not_in(closed), or_(Deal.stalled_at.is_not(None),
                                                          _follow_ups_of(Deal.id) >= stall_after)])
    return conditions


def _follow_ups_of(deal_id: ColumnElement[int] | Any) -> Any:
    return (select(func.count()).select_from(Touch)
            .where(Touch.deal_id == deal_id, Touch.label.like("follow-up%")).scalar_subquery())


def stage_totals(session: Session, actor: Actor, wanted: PipelineFilter, closed: list[str],
                 stall_after: int) -> dict[str, StageTotal]:
    """Per stage: how many deals and their summed amount, under the same filters but any stage."""
    everywhere = PipelineFilter(None, wanted.owner_id, wanted.stalled_only, wanted.search, True)
    rows = session.execute(select(Deal.stage, func.count(), func.coalesce(func.sum(Deal.amount), 0))
                           .where(*_conditions(actor, everywhere, closed, stall_after)).group_by(Deal.stage))
    return {stage: StageTotal(int(count), Decimal(total or 0)) for stage, count, total in rows}


def pipeline_page(session: Session, actor: Actor, wanted: PipelineFilter, closed: list[str], stall_after: int,
                  stages: Sequence[str], limit: int, offset: int) -> list[DealLine]:
    """One page of deals in stage order (then biggest first) with owner and account names.

    The page's ids are picked from the deals alone, then joined: sorting thousands of bare deal rows
    is cheaper than sorting them joined to their owners and accounts."""
    stage_rank = case({stage: rank for rank, stage in enumerate(stages)}, value=Deal.stage, else_=99)
    order = (stage_rank, Deal.amount.desc().nulls_last(), Deal.id)
    page = (select(Deal.id).where(*_conditions(actor, wanted, closed, stall_after)).order_by(*order)
            .limit(limit).offset(offset).subquery())
    query = (select(Deal, User.name, Account.name).join(page, page.c.id == Deal.id)
             .join(User, User.id == Deal.owner_id).outerjoin(Account, Account.id == Deal.account_id)
             .order_by(*order))
    return [DealLine(deal, owner, account) for deal, owner, account in session.execute(query)]


def touch_figures(session: Session, deal_ids: list[int]) -> dict[int, TouchFigures]:
    """Per deal: when it was last touched and how many follow-ups it has had."""
    if not deal_ids:
        return {}
    follow_up = func.sum(case((Touch.label.like("follow-up%"), 1), else_=0))
    rows = session.execute(select(Touch.deal_id, func.max(Touch.occurred_at), func.coalesce(follow_up, 0))
                           .where(Touch.deal_id.in_(deal_ids)).group_by(Touch.deal_id))
    return {int(deal_id): TouchFigures(last, int(count)) for deal_id, last, count in rows}


def next_open_steps(session: Session, deal_ids: list[int]) -> dict[int, NextStep]:
    """Per deal: its open next step due first (undated steps last)."""
    if not deal_ids:
        return {}
    ranked = (select(NextStep.id, func.row_number().over(
        partition_by=NextStep.deal_id, order_by=(NextStep.due_at.asc().nulls_last(), NextStep.id)).label("n"))
        .where(NextStep.deal_id.in_(deal_ids), NextStep.status == "open").subquery())
    steps = session.scalars(select(NextStep).join(ranked, and_(ranked.c.id == NextStep.id, ranked.c.n == 1)))
    return {int(step.deal_id): step for step in steps if step.deal_id is not None}


def stakeholders(session: Session, deal_id: int, *, by_name: bool = True) -> list[Stakeholder]:
    """The deal's people, the primary contact first, then by last name (or in the order they were added)."""
    then = (Contact.last_name, Contact.id) if by_name else (Contact.id,)
    query = (select(DealStakeholder, Contact)
             .join(Contact, Contact.id == DealStakeholder.contact_id).where(DealStakeholder.deal_id == deal_id)
             .order_by(DealStakeholder.is_primary.desc(), *then))
    return [Stakeholder(link, contact) for link, contact in session.execute(query)]


def deal_touches(session: Session, deal_id: int, limit: int = 200) -> list[DealTouch]:
    """The deal's touches, newest first, with the contact touched and the call recorded (if any)."""
    query = (select(Touch, Contact.first_name, Contact.last_name, Call.id)
             .join(Contact, Contact.id == Touch.contact_id).outerjoin(Call, Call.touch_id == Touch.id)
             .where(Touch.deal_id == deal_id).order_by(Touch.occurred_at.desc(), Touch.id.desc()).limit(limit))
    return [DealTouch(touch, first, last, call_id) for touch, first, last, call_id in session.execute(query)]


def deal_steps(session: Session, deal_id: int, limit: int = 100) -> list[NextStep]:
    return list(session.scalars(select(NextStep).where(NextStep.deal_id == deal_id)
                                .order_by(NextStep.status != "open", NextStep.due_at.asc().nulls_last(),
                                          NextStep.id).limit(limit)))



def count_open(session: Session, actor: Actor, closed: Sequence[str]) -> int:
    query = select(func.count()).select_from(Deal).where(owner_scope(actor, Deal.owner_id), Deal.stage.not_in(closed))
    return int(session.scalar(query) or 0)
