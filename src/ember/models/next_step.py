from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class NextStep(Timestamped, Base):
    """A concrete commitment made on a call, with who owns it and when it is due."""

    __tablename__ = "next_steps"
    __table_args__ = (
        Index("ix_next_steps_status_due", "status", "due_at"),
        Index("ix_next_steps_rep_status_due", "rep_id", "status", "due_at"),
        Index("ix_next_steps_deal_status_due", "deal_id", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    owner_side: Mapped[str] = mapped_column(String(10))  # rep | prospect
    due_at: Mapped[datetime | None]
    due_phrase: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="open")
    quote: Mapped[str | None] = mapped_column(Text)
    start_s: Mapped[float | None]
