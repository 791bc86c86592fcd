from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, utcnow


class NurtureMembership(Base):
    """A stretch of time a contact spent on the nurture list, and why."""

    __tablename__ = "nurture_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(40))  # said-no | manual | import
    note: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(40))  # trigger | manual
    ended_note: Mapped[str | None] = mapped_column(Text)  # the rep's own words when re-opened by hand
