from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class Alert(Timestamped, Base):
    """A rep is told a contact is warm again; one per contact, rule and window."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_rep_created", "rep_id", "created_at"),
        Index("ix_alerts_status_next", "status", "next_attempt_at"),
        Index("ix_alerts_contact_created", "contact_id", "created_at"),  # the nurture funnel's "alerted again"
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("trigger_rules.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_events.id", ondelete="SET NULL")
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    seen_at: Mapped[datetime | None]
    # When the next delivery attempt is due (backoff), or until when a worker holds it.
    next_attempt_at: Mapped[datetime | None]
    # Fingerprints of the rep's notification URLs this alert has reached, so a
    # retry after a partial failure goes only to the others.
    delivered_to: Mapped[list[Any] | None]
