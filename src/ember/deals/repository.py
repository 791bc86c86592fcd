"""Every query behind the pipeline and the deal page.

The pipeline reads one page of deals first and then the figures of only those
deals (touches, next step), so a rep with thousands of open deals costs the same
as one with fifty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, func, or_, select
from sqlalchemy.orm import Session

from ember.models import Account, Call, Contact, Deal, DealStakeholder, NextStep, Touch, User
from ember.users.access import Actor, owner_scope


@dataclass(frozen=True)
class PipelineFilter:
    stage: str | None = None
    owner_id: int | None = None
    stalled_only: bool = False
    search: str | None = None
    include_closed: bool = True


def deal_by_id(session: Session, deal_id: int) -> Deal | None:
    return session.get(Deal, deal_id)


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
                 stall_after: int) -> dict[str, tuple[int, Decimal]]:
    """Per stage: how many deals and their summed amount, under the same filters but any stage."""
    everywhere = PipelineFilter(None, wanted.owner_id, wanted.stalled_only, wanted.search, True)
    rows = session.execute(select(Deal.stage, func.count(), func.coalesce(func.sum(Deal.amount), 0))
                           .where(*_conditions(actor, everywhere, closed, stall_after)).group_by(Deal.stage))
    return {stage: (int(count), Decimal(total or 0)) for stage, count, total in rows}


def pipeline_page(session: Session, actor: Actor, wanted: PipelineFilter, closed: list[str], stall_after: int,
                  stage_order: Any, limit: int, offset: int) -> list[tuple[Deal, str, str | None]]:
    """One page of deals in stage order (then biggest first) with owner and account names.

    The page's ids are picked from the deals alone, then joined: sorting thousands of bare deal rows
    is cheaper than sorting them joined to their owners and accounts."""
    order = (stage_order, Deal.amount.desc().nulls_last(), Deal.id)
    page = (select(Deal.id).where(*_conditions(actor, wanted, closed, stall_after)).order_by(*order)
            .limit(limit).offset(offset).subquery())
    query = (select(Deal, User.name, Account.name).join(page, page.c.id == Deal.id)
             .join(User, User.id == Deal.owner_id).outerjoin(Account, Account.id == Deal.account_id)
             .order_by(*order))
    return list(session.execute(query).tuples())


def touch_figures(session: Session, deal_ids: list[int]) -> dict[int, tuple[datetime | None, int]]:
    """Per deal: when it was last touched and how many follow-ups it has had."""
    if not deal_ids:
        return {}
    follow_up = func.sum(case((Touch.label.like("follow-up%"), 1), else_=0))
    rows = session.execute(select(Touch.deal_id, func.max(Touch.occurred_at), func.coalesce(follow_up, 0))
                           .where(Touch.deal_id.in_(deal_ids)).group_by(Touch.deal_id))
    return {int(deal_id): (last, int(count)) for deal_id, last, count in rows}


def next_open_steps(session: Session, deal_ids: list[int]) -> dict[int, NextStep]:
    """Per deal: its open next step due first (undated steps last)."""
    if not deal_ids:
        return {}
    ranked = (select(NextStep.id, func.row_number().over(
        partition_by=NextStep.deal_id, order_by=(NextStep.due_at.asc().nulls_last(), NextStep.id)).label("n"))
        .where(NextStep.deal_id.in_(deal_ids), NextStep.status == "open").subquery())
    steps = session.scalars(select(NextStep).join(ranked, and_(ranked.c.id == NextStep.id, ranked.c.n == 1)))
    return {int(step.deal_id): step for step in steps if step.deal_id is not None}


def deal_row(session: Session, deal_id: int) -> tuple[Deal, User, str | None] | None:
    query = (select(Deal, User, Account.name).join(User, User.id == Deal.owner_id)
             .outerjoin(Account, Account.id == Deal.account_id).where(Deal.id == deal_id))
    return session.execute(query).tuples().first()


def stakeholder_rows(session: Session, deal_id: int) -> list[tuple[DealStakeholder, Contact]]:
    return list(session.execute(select(DealStakeholder, Contact).join(Contact, Contact.id == DealStakeholder.contact_id)
                                .where(DealStakeholder.deal_id == deal_id)
                                .order_by(DealStakeholder.is_primary.desc(), Contact.last_name, Contact.id)).tuples())


def stakeholder(session: Session, deal_id: int, contact_id: int) -> DealStakeholder | None:
    return session.scalar(select(DealStakeholder).where(DealStakeholder.deal_id == deal_id,
                                                        DealStakeholder.contact_id == contact_id))


def deal_touches(session: Session, deal_id: int, limit: int = 200) -> list[Row[Any]]:
    """The deal's touches, newest first, with the contact touched and the call recorded (if any)."""
    return list(session.execute(
        select(Touch, Contact.first_name, Contact.last_name, Call.id)
        .join(Contact, Contact.id == Touch.contact_id).outerjoin(Call, Call.touch_id == Touch.id)
        .where(Touch.deal_id == deal_id).order_by(Touch.occurred_at.desc(), Touch.id.desc()).limit(limit)))


def deal_steps(session: Session, deal_id: int, limit: int = 100) -> list[NextStep]:
    return list(session.scalars(select(NextStep).where(NextStep.deal_id == deal_id)
                                .order_by(NextStep.status != "open", NextStep.due_at.asc().nulls_last(),
                                          NextStep.id).limit(limit)))


def visible_owners(session: Session, actor: Actor) -> list[User]:
    return list(session.scalars(select(User).where(owner_scope(actor, User.id)).order_by(User.name)))
