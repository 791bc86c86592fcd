from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, utcnow

TIED = text("contact_id IS NOT NULL")


class InboundEvent(Base):
    """A signal from outside (page view, subscription, RSVP), stored before any work."""

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_inbound_events_status", "status"),
        Index("ix_inbound_events_contact_occurred", "contact_id", "occurred_at"),
        # Visitors someone was ever found behind: one probe tells that a visitor never was, so its
        # events belong to nobody yet. Only tied events are in it, so storing a stranger's costs nothing.
        Index("ix_inbound_events_tied_visitor", "anonymous_id", sqlite_where=TIED, postgresql_where=TIED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    anonymous_id: Mapped[str | None] = mapped_column(String(200), index=True)
    url: Mapped[str | None] = mapped_column(Text)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    handled_at: Mapped[datetime | None]
