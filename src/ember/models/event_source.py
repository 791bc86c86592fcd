from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class EventSource(Timestamped, Base):
    """A system that sends us signed events (website, newsletter, webinar tool)."""

    __tablename__ = "event_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The signing secret must be kept readable to verify signatures (HMAC).
    secret: Mapped[str] = mapped_column(String(200))
