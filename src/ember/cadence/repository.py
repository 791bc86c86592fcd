from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ember.cadence.attempts import TouchFact
from ember.db import typed_rows
from ember.models import Contact, DealStakeholder, MessageVariant, PlannedTouch, Touch, TouchOutcome
from ember.vocabulary import CONVERSATION_OUTCOMES, PlannedTouchStatus


def planned_touch_by_id(session: Session, plan_id: int) -> PlannedTouch | None:
    return session.get(PlannedTouch, plan_id)


def cancel_planned(session: Session, contact_id: int, *, kinds: tuple[str, ...] | None = None) -> None:
    """Retire the contact's open plans: a new touch or a new plan replaces them."""
    query = update(PlannedTouch).where(
        PlannedTouch.contact_id == contact_id, PlannedTouch.status == PlannedTouchStatus.PLANNED.value
    )
    if kinds:
        query = query.where(PlannedTouch.kind.in_(kinds))
    session.execute(query.values(status=PlannedTouchStatus.CANCELLED.value))


def planned_booking(session: Session, booking_key: str) -> PlannedTouch | None:
    """The planned meeting of a booking, when it is still to be held."""
    return session.scalar(
        select(PlannedTouch).where(PlannedTouch.booking_key == booking_key,
                                   PlannedTouch.status == PlannedTouchStatus.PLANNED.value).limit(1)
    )


def cancel_booking(session: Session, booking_key: str) -> int:
    """Call off the planned meeting of a booking; how many were still planned."""
    result = session.execute(
        update(PlannedTouch).where(PlannedTouch.booking_key == booking_key,
                                   PlannedTouch.status == PlannedTouchStatus.PLANNED.value)
        .values(status=PlannedTouchStatus.CANCELLED.value).execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def planned_meetings(session: Session, contact_id: int) -> list[PlannedTouch]:
    """Meetings the contact booked that are still to be held, soonest first."""
    return list(session.scalars(
        select(PlannedTouch).where(PlannedTouch.contact_id == contact_id, PlannedTouch.kind == "meeting",
                                   PlannedTouch.status == PlannedTouchStatus.PLANNED.value)
        .order_by(PlannedTouch.due_at)
    ))


def open_plan(session: Session, contact_id: int) -> PlannedTouch | None:
    return session.scalar(
        select(PlannedTouch).where(PlannedTouch.contact_id == contact_id,
                                   PlannedTouch.status == PlannedTouchStatus.PLANNED.value,
                                   PlannedTouch.kind != "multithread")
        .order_by(PlannedTouch.due_at).limit(1)
    )


@dataclass(frozen=True, slots=True)
class ReachedPerson:
    """A stakeholder of the deal someone actually spoke with, and their say in the decision."""

    contact_id: int
    name: str
    role: str


def reached_roles(session: Session, deal_id: int) -> list[ReachedPerson]:
    """The deal's stakeholders someone actually spoke with."""
    talked = select(Touch.contact_id).where(
        Touch.deal_id == deal_id, Touch.outcome.in_([o.value for o in CONVERSATION_OUTCOMES])
    )
    rows = session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name, Contact.decision_role, DealStakeholder.role)
        .join(DealStakeholder, DealStakeholder.contact_id == Contact.id)
        .where(DealStakeholder.deal_id == deal_id, Contact.id.in_(talked))
    )
    # The role on this deal wins over the contact's general role when it is known.
    return [ReachedPerson(id_, f"{first} {last}".strip(), deal_role if deal_role != "unknown" else role)
            for id_, first, last, role, deal_role in rows]


def has_open_multithread(session: Session, deal_id: int) -> bool:
    return session.scalar(
        select(PlannedTouch.id).where(PlannedTouch.deal_id == deal_id, PlannedTouch.kind == "multithread",
                                      PlannedTouch.status == PlannedTouchStatus.PLANNED.value).limit(1)
    ) is not None


def close_multithread(session: Session, deal_id: int) -> None:
    session.execute(
        update(PlannedTouch).where(PlannedTouch.deal_id == deal_id, PlannedTouch.kind == "multithread",
                                   PlannedTouch.status == PlannedTouchStatus.PLANNED.value)
        .values(status=PlannedTouchStatus.DONE.value)
    )


def touch_facts(session: Session, contact_id: int) -> list[TouchFact]:
    rows = session.execute(
        select(Touch.id, Touch.occurred_at, Touch.outcome, Touch.channel, Touch.deal_id,
               MessageVariant.key.label("variant_key"), Touch.callback_at)
        .outerjoin(MessageVariant, MessageVariant.id == Touch.message_variant_id)
        .where(Touch.contact_id == contact_id)
    )
    return typed_rows(TouchFact, rows)



def custom_outcomes(session: Session, team_id: int | None) -> dict[str, bool]:
    query = select(TouchOutcome.name, TouchOutcome.counts_as_conversation)
    query = query.where((TouchOutcome.team_id.is_(None)) | (TouchOutcome.team_id == team_id))
    return {name: counts for name, counts in session.execute(query)}
