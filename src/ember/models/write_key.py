from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class WriteKey(Timestamped, Base):
    """A key Segment-style libraries send as the HTTP Basic user. Only its SHA-256 is stored.

    ``scope`` says where it lives: ``server`` keys stay on the team's servers and
    their identities count; ``browser`` keys are published in web pages, so who a
    visitor claims to be is recorded but never trusted.
    """

    __tablename__ = "write_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("event_sources.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # enough to tell keys apart in a list
    scope: Mapped[str] = mapped_column(String(10), default="server")
    revoked_at: Mapped[datetime | None]
