from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class Touch(Timestamped, Base):
    """One attempt to reach a contact, on one channel, with one outcome."""

    __tablename__ = "touches"
    __table_args__ = (
        Index("ix_touches_contact_occurred", "contact_id", "occurred_at"),
        # A rep's touches by time, with what the team numbers count (activity, FTC attempts, connect
        # rates): a period's touches not in the running counts are one range of it per rep.
        Index("ix_touches_rep_time", "rep_id", "occurred_at", "channel", "outcome", "label", "contact_id"),
        # A deal's touches: its follow-ups and whether anyone said no (team numbers), its last touch
        # (pipeline), read from the index alone.
        Index("ix_touches_deal_outcome_label", "deal_id", "outcome", "label", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", ondelete="SET NULL")
    )
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    channel: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime]
    message_variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("message_variants.id", ondelete="SET NULL")
    )
    # Derived from the contact's history ("FTC #2", "follow-up #1"); recomputed
    # whenever that history changes so lists need no recount.
    label: Mapped[str | None] = mapped_column(String(20))
    callback_at: Mapped[datetime | None]  # "not now: call me in March"
    notes: Mapped[str | None] = mapped_column(Text)
