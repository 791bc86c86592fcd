"""Deals and the people involved in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from ember.accounts.service import get_account
from ember.contacts.service import get_contact
from ember.deals import repository
from ember.deals.schemas import DealCreate, DealFields, StakeholderIn
from ember.errors import InvalidInput, NotFound, Problem
from ember.models import Contact, Deal, DealStakeholder, NextStep, User
from ember.taken import check_external_id_free
from ember.users.access import Actor, owner_scope, require_visible
from ember.users.owners import resolve_owner
from ember.validation import parse_enum
from ember.vocabulary import CLOSED_STAGES, DealOutcome, DealStage, DecisionRole


def list_deals(
    session: Session, actor: Actor, *, stage: str | None = None, limit: int = 100, offset: int = 0
) -> list[Deal]:
    query = select(Deal).where(owner_scope(actor, Deal.owner_id))
    if stage:
        query = query.where(Deal.stage == stage)
    return list(session.scalars(query.order_by(Deal.id).limit(limit).offset(offset)))


def get_deal(session: Session, actor: Actor, deal_id: int) -> Deal:
    row = session.execute(
        select(Deal, User).join(User, User.id == Deal.owner_id).where(Deal.id == deal_id)
    ).first()
    require_visible(actor, row[1] if row else None, f"deal {deal_id}")
    assert row is not None
    return row[0]


def _check_outcome(stage: str | None, outcome: str | None) -> None:
    """A closed stage and its outcome must agree, or reports would double-count."""
    expected = {DealStage.CLOSED_WON: DealOutcome.WON, DealStage.CLOSED_LOST: DealOutcome.LOST}
    if stage in expected and outcome not in (None, expected[DealStage(stage)]):
        raise InvalidInput(
            "stage and outcome disagree",
            [Problem("outcome", f"{outcome} does not match stage {stage}",
                     f"use outcome {expected[DealStage(stage)]}")],
        )


def _check_references(session: Session, actor: Actor, changes: dict[str, object]) -> None:
    """Every record a deal points to must be one the actor can see; any other id is answered
    exactly as a missing record, so ids cannot be probed through a deal."""
    account_id, referrer_id = changes.get("account_id"), changes.get("referred_by_contact_id")
    if isinstance(account_id, int):
        get_account(session, actor, account_id)
    if isinstance(referrer_id, int):
        get_contact(session, actor, referrer_id)


def create_deal(session: Session, actor: Actor, data: DealCreate) -> Deal:
    _check_outcome(data.stage, data.outcome)
    owner = resolve_owner(session, actor, data.owner_email)
    _check_references(session, actor, data.model_dump(include={"account_id", "referred_by_contact_id"}))
    check_external_id_free(session, Deal, data.external_id)
    values = data.model_dump(exclude_none=True, exclude={"owner_email"})
    deal = Deal(owner_id=owner.id, qualification={}, **values)
    session.add(deal)
    session.flush()
    return deal


def update_deal(session: Session, actor: Actor, deal_id: int, data: DealFields) -> Deal:
    deal = get_deal(session, actor, deal_id)
    changes = data.model_dump(exclude_unset=True)
    _check_outcome(changes.get("stage", deal.stage), changes.get("outcome", deal.outcome))
    if "owner_email" in changes:
        deal.owner_id = resolve_owner(session, actor, changes.pop("owner_email")).id
    _check_references(session, actor, changes)
    check_external_id_free(session, Deal, changes.get("external_id"), deal.id)
    for field, value in changes.items():
        setattr(deal, field, value)
    session.flush()
    return deal


def delete_deal(session: Session, actor: Actor, deal_id: int) -> None:
    session.delete(get_deal(session, actor, deal_id))
    session.flush()


def add_stakeholder(session: Session, actor: Actor, deal_id: int, data: StakeholderIn) -> DealStakeholder:
    deal = get_deal(session, actor, deal_id)
    get_contact(session, actor, data.contact_id)
    existing = session.scalar(
        select(DealStakeholder).where(
            DealStakeholder.deal_id == deal.id, DealStakeholder.contact_id == data.contact_id
        )
    )
    stakeholder = existing or DealStakeholder(deal_id=deal.id, contact_id=data.contact_id)
    stakeholder.role = data.role.value
    stakeholder.is_primary = data.is_primary
    session.add(stakeholder)
    session.flush()
    return stakeholder


def set_stakeholder_role(session: Session, actor: Actor, deal_id: int, contact_id: int, role: str) -> DealStakeholder:
    """A rep's judgement of someone's say in this deal's decision (the audit trail keeps the change)."""
    try:
        chosen = parse_enum(DecisionRole, role)
    except ValueError as exc:
        raise InvalidInput(f"{role!r} is not a decision role", [Problem(
            "role", str(exc).split("; ")[0], "pick one of: " + ", ".join(r.value for r in DecisionRole))]) from None
    get_deal(session, actor, deal_id)
    found = repository.stakeholder(session, deal_id, contact_id)
    if found is None:
        raise NotFound(f"contact {contact_id} is not on deal {deal_id}")
    found.role = chosen.value
    session.flush()
    return found


def stakeholders(session: Session, actor: Actor, deal_id: int) -> list[DealStakeholder]:
    get_deal(session, actor, deal_id)
    return list(session.scalars(select(DealStakeholder).where(DealStakeholder.deal_id == deal_id)))


def require_deal_exists(session: Session, deal_id: int) -> None:
    if session.get(Deal, deal_id) is None:
        raise NotFound(f"deal {deal_id} not found")


# ---- the pipeline and the deal page ---------------------------------------------------------

STAGE_ORDER = tuple(DealStage)
OPEN_STAGES = tuple(s for s in DealStage if s not in CLOSED_STAGES)
_CLOSED = [s.value for s in CLOSED_STAGES]


@dataclass(frozen=True)
class PipelineRow:
    deal: Deal
    owner: str
    account: str | None
    last_touch: datetime | None
    follow_ups: int
    next_step: NextStep | None
    stalled: bool


@dataclass(frozen=True)
class Pipeline:
    rows: list[PipelineRow]
    totals: dict[str, tuple[int, Decimal]]  # stage -> (deals, amount), under the same filters
    has_more: bool


def _stage_rank() -> Any:
    return case({stage.value: rank for rank, stage in enumerate(STAGE_ORDER)}, value=Deal.stage, else_=99)


def pipeline(session: Session, actor: Actor, wanted: repository.PipelineFilter, *, stall_after: int,
             limit: int = 50, offset: int = 0) -> Pipeline:
    """The deals the actor may see, stage by stage, with what a rep needs to pick the next one to work."""
    found = repository.pipeline_page(session, actor, wanted, _CLOSED, stall_after, _stage_rank(), limit + 1, offset)
    page = found[:limit]
    ids = [row[0].id for row in page]
    figures = repository.touch_figures(session, ids)
    steps = repository.next_open_steps(session, ids)
    rows = []
    for deal, owner, account in page:
        last, follow_ups = figures.get(deal.id, (None, 0))
        stalled = deal.stage not in _CLOSED and (deal.stalled_at is not None or follow_ups >= stall_after)
        rows.append(PipelineRow(deal, owner, account, last, follow_ups, steps.get(deal.id), stalled))
    totals = repository.stage_totals(session, actor, wanted, _CLOSED, stall_after)
    return Pipeline(rows, totals, len(found) > limit)


@dataclass(frozen=True)
class DealView:
    deal: Deal
    owner: User
    account: str | None
    stakeholders: list[tuple[DealStakeholder, Contact]]
    touches: list[Any]  # (Touch, first name, last name, call id or None)
    steps: list[NextStep]


def deal_view(session: Session, actor: Actor, deal_id: int) -> DealView:
    row = repository.deal_row(session, deal_id)
    require_visible(actor, row[1] if row else None, f"deal {deal_id}")
    assert row is not None
    deal, owner, account = row
    return DealView(deal, owner, account,
                    repository.stakeholder_rows(session, deal_id),
                    list(repository.deal_touches(session, deal_id)), repository.deal_steps(session, deal_id))


def change_stage(session: Session, actor: Actor, deal_id: int, stage: str, *, reason: str | None,
                 now: datetime) -> Deal:
    """Move a deal to another stage; closing it records the outcome, re-opening clears it."""
    try:
        target = DealStage(stage)
    except ValueError:
        raise InvalidInput(f"{stage!r} is not a stage", [Problem(
            "stage", f"{stage!r} is unknown", "pick one of: " + ", ".join(s.value for s in DealStage))]) from None
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > 2000:
        raise InvalidInput("the reason is too long", [Problem("reason", f"{len(reason)} characters",
                                                              "keep it under 2,000 characters")])
    if target is DealStage.CLOSED_LOST and reason is None:
        raise InvalidInput("say why the deal was lost", [Problem(
            "reason", "is empty", "write a few words (\"chose a competitor\", \"no budget this year\")")])
    outcome = {DealStage.CLOSED_WON: DealOutcome.WON, DealStage.CLOSED_LOST: DealOutcome.LOST}.get(target)
    fields = DealFields(stage=target, outcome=outcome, closed_at=now if outcome else None,
                        outcome_reason=reason if outcome else None)
    # Fields given as None are cleared: a re-opened deal has no outcome any more.
    return update_deal(session, actor, deal_id, fields)
