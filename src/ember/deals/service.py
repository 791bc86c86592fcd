"""Deals and the people involved in them."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ember.accounts.service import get_account
from ember.contacts.service import get_contact
from ember.deals import repository
from ember.deals.repository import PipelineFilter
from ember.deals.schemas import DealCreate, DealFields, StakeholderIn
from ember.errors import InvalidInput, NotFound, Problem
from ember.models import Deal, DealStakeholder, NextStep, User
from ember.taken import check_external_id_free
from ember.tallies.service import count_new_deals, recounting_deals
from ember.users.access import Actor, require_visible
from ember.users.owners import resolve_owner
from ember.validation import parse_enum
from ember.vocabulary import CLOSED_STAGES, DealOutcome, DealStage, DecisionRole


def list_deals(
    session: Session, actor: Actor, *, stage: str | None = None, limit: int = 100, offset: int = 0
) -> list[Deal]:
    return repository.list_deals(session, actor, stage=stage, limit=limit, offset=offset)


def _visible_deal(session: Session, actor: Actor, deal_id: int) -> repository.DealWithOwner:
    found = repository.deal_with_owner(session, deal_id)
    require_visible(actor, found.owner if found else None, f"deal {deal_id}")
    assert found is not None
    return found


def get_deal(session: Session, actor: Actor, deal_id: int) -> Deal:
    return _visible_deal(session, actor, deal_id).deal


def _check_outcome(stage: str | None, outcome: str | None) -> None:
    """A closed stage and its outcome must agree, or reports would double-count."""
    expected = {DealStage.CLOSED_WON: DealOutcome.WON, DealStage.CLOSED_LOST: DealOutcome.LOST}
    if stage in expected and outcome not in (None, expected[DealStage(stage)]):
        raise InvalidInput(
            "stage and outcome disagree",
            [Problem("outcome", f"{outcome} does not match stage {stage}",
                     f"use outcome {expected[DealStage(stage)]}")],
        )


# What the team numbers count a deal by: a change to one of these moves it in the ending counts.
_COUNTED_FIELDS = frozenset({"outcome", "closed_at", "stalled_at", "created_at"})


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
    check_external_id_free(repository.deal_id_with_external_id(session, data.external_id))
    values = data.model_dump(exclude_none=True, exclude={"owner_email"})
    deal = Deal(owner_id=owner.id, qualification={}, **values)
    session.add(deal)
    session.flush()
    count_new_deals(session, [deal.id])
    return deal


def update_deal(session: Session, actor: Actor, deal_id: int, data: DealFields) -> Deal:
    deal = get_deal(session, actor, deal_id)
    changes = data.model_dump(exclude_unset=True)
    _check_outcome(changes.get("stage", deal.stage), changes.get("outcome", deal.outcome))
    owner_id = resolve_owner(session, actor, changes.pop("owner_email")).id if "owner_email" in changes else None
    _check_references(session, actor, changes)
    check_external_id_free(repository.deal_id_with_external_id(session, changes.get("external_id")), deal.id)
    counted = owner_id is not None or not _COUNTED_FIELDS.isdisjoint(changes)
    with recounting_deals(session, [deal.id]) if counted else nullcontext():
        if owner_id is not None:
            deal.owner_id = owner_id
        for field, value in changes.items():
            setattr(deal, field, value)
        session.flush()
    return deal


def delete_deal(session: Session, actor: Actor, deal_id: int) -> None:
    deal = get_deal(session, actor, deal_id)
    with recounting_deals(session, [deal.id]):
        session.delete(deal)
        session.flush()


def add_stakeholder(session: Session, actor: Actor, deal_id: int, data: StakeholderIn) -> DealStakeholder:
    deal = get_deal(session, actor, deal_id)
    get_contact(session, actor, data.contact_id)
    existing = repository.stakeholder(session, deal.id, data.contact_id)
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
    return repository.stakeholder_links(session, deal_id)


def require_deal_exists(session: Session, deal_id: int) -> None:
    if repository.deal_by_id(session, deal_id) is None:
        raise NotFound(f"deal {deal_id} not found")


# ---- the pipeline and the deal page ---------------------------------------------------------

STAGE_ORDER = tuple(DealStage)
OPEN_STAGES = tuple(s for s in DealStage if s not in CLOSED_STAGES)
_CLOSED = [s.value for s in CLOSED_STAGES]
_UNTOUCHED = repository.TouchFigures(None, 0)


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
    totals: dict[str, repository.StageTotal]  # per stage, under the same filters
    has_more: bool


def pipeline(session: Session, actor: Actor, wanted: PipelineFilter, *, stall_after: int,
             limit: int = 50, offset: int = 0) -> Pipeline:
    """The deals the actor may see, stage by stage, with what a rep needs to pick the next one to work."""
    found = repository.pipeline_page(session, actor, wanted, _CLOSED, stall_after, STAGE_ORDER, limit + 1,
                                       offset)
    page = found[:limit]
    ids = [line.deal.id for line in page]
    figures = repository.touch_figures(session, ids)
    steps = repository.next_open_steps(session, ids)
    rows = []
    for line in page:
        deal = line.deal
        touched = figures.get(deal.id, _UNTOUCHED)
        stalled = deal.stage not in _CLOSED and (deal.stalled_at is not None or touched.follow_ups >= stall_after)
        rows.append(PipelineRow(deal, line.owner, line.account, touched.last_touch, touched.follow_ups,
                                steps.get(deal.id), stalled))
    totals = repository.stage_totals(session, actor, wanted, _CLOSED, stall_after)
    return Pipeline(rows, totals, len(found) > limit)


@dataclass(frozen=True)
class DealView:
    deal: Deal
    owner: User
    account: str | None
    stakeholders: list[repository.Stakeholder]
    touches: list[repository.DealTouch]
    steps: list[NextStep]


def deal_view(session: Session, actor: Actor, deal_id: int) -> DealView:
    found = _visible_deal(session, actor, deal_id)
    return DealView(found.deal, found.owner, found.account, repository.stakeholders(session, deal_id),
                    repository.deal_touches(session, deal_id), repository.deal_steps(session, deal_id))



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


def count_open_deals(session: Session, actor: Actor) -> int:
    """How many deals the actor may see that are not closed."""
    return repository.count_open(session, actor, _CLOSED)
