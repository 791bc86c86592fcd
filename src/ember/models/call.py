from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class Call(Timestamped, Base):
    """A recorded conversation attached to a touch, with its transcript and analysis."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    touch_id: Mapped[int] = mapped_column(ForeignKey("touches.id", ondelete="CASCADE"), unique=True)
    transcript_source: Mapped[str | None] = mapped_column(String(255))  # file name or tool
    transcript_format: Mapped[str | None] = mapped_column(String(20))
    transcript_text: Mapped[str | None] = mapped_column(Text)
    duration_s: Mapped[float | None]
    parsed_transcript: Mapped[list[Any] | None]
    analysis: Mapped[dict[str, Any] | None]
    analysed_at: Mapped[datetime | None]
    # Speakers a user put on each side ({"rep": [...], "prospect": [...]}); every re-analysis keeps them.
    sides: Mapped[dict[str, Any] | None]
