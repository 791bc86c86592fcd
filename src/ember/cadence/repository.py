from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ember.models import Alert, Contact, DealStakeholder, PlannedTouch, Touch
from ember.vocabulary import CONVERSATION_OUTCOMES, PlannedTouchStatus


def cancel_planned(session: Session, contact_id: int, *, kinds: tuple[str, ...] | None = None) -> None:
    """Retire the contact's open plans: a new touch or a new plan replaces them."""
    query = update(PlannedTouch).where(
        PlannedTouch.contact_id == contact_id, PlannedTouch.status == PlannedTouchStatus.PLANNED.value
    )
    if kinds:
        query = query.where(PlannedTouch.kind.in_(kinds))
    session.execute(query.values(status=PlannedTouchStatus.CANCELLED.value))


def open_plan(session: Session, contact_id: int) -> PlannedTouch | None:
    return session.scalar(
        select(PlannedTouch).where(PlannedTouch.contact_id == contact_id,
                                   PlannedTouch.status == PlannedTouchStatus.PLANNED.value,
                                   PlannedTouch.kind != "multithread")
        .order_by(PlannedTouch.due_at).limit(1)
    )


def latest_alert(session: Session, contact_id: int) -> Alert | None:
    return session.scalar(
        select(Alert).where(Alert.contact_id == contact_id).order_by(Alert.created_at.desc()).limit(1)
    )


def reached_roles(session: Session, deal_id: int) -> list[tuple[int, str, str]]:
    """(contact id, name, decision role) of the deal's stakeholders someone actually spoke with."""
    talked = select(Touch.contact_id).where(
        Touch.deal_id == deal_id, Touch.outcome.in_([o.value for o in CONVERSATION_OUTCOMES])
    )
    rows = session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name, Contact.decision_role, DealStakeholder.role)
        .join(DealStakeholder, DealStakeholder.contact_id == Contact.id)
        .where(DealStakeholder.deal_id == deal_id, Contact.id.in_(talked))
    )
    # The role on this deal wins over the contact's general role when it is known.
    return [(id_, f"{first} {last}".strip(), deal_role if deal_role != "unknown" else role)
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
