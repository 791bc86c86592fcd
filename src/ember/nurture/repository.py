"""Every query about the nurture list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session, aliased

from ember.models import Account, Contact, NurtureMembership, User
from ember.users.access import Actor, owner_scope


def nurture_rows(session: Session, actor: Actor, *, with_email_only: bool = False, limit: int | None = None,
                 offset: int = 0) -> list[Row[Any]]:
    """Contacts on the list that the actor may see, with why and since when."""
    open_membership = aliased(NurtureMembership)
    latest = (select(open_membership.id).where(open_membership.contact_id == Contact.id,
                                               open_membership.ended_at.is_(None))
              .order_by(open_membership.started_at.desc()).limit(1).correlate(Contact).scalar_subquery())
    query = (
        select(Contact.id, Contact.first_name, Contact.last_name, Contact.email, Contact.title, Account.name,
               User.email, NurtureMembership.reason, NurtureMembership.note, NurtureMembership.started_at)
        .join(User, User.id == Contact.owner_id)
        .outerjoin(Account, Account.id == Contact.account_id)
        .outerjoin(NurtureMembership, NurtureMembership.id == latest)
        .where(Contact.status == "nurture", owner_scope(actor, Contact.owner_id))
        .order_by(Contact.id)
    )
    if with_email_only:
        query = query.where(Contact.email.is_not(None))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(session.execute(query))


def open_memberships(session: Session, contact_id: int) -> list[NurtureMembership]:
    return list(session.scalars(select(NurtureMembership).where(NurtureMembership.contact_id == contact_id,
                                                                NurtureMembership.ended_at.is_(None))))


def end_open(session: Session, contact_id: int, *, reason: str, now: Any) -> int:
    result = session.execute(
        update(NurtureMembership).where(NurtureMembership.contact_id == contact_id,
                                        NurtureMembership.ended_at.is_(None))
        .values(ended_at=now, ended_reason=reason).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]
