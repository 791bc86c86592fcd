from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class WebSession(Timestamped, Base):
    """A web login. The cookie carries a random token; only its SHA-256 is stored here,
    so a session can be ended from the server (logout, password change, timeouts)."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]  # the absolute timeout, fixed at login
    revoked_at: Mapped[datetime | None]
