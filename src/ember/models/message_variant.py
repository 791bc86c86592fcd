from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class MessageVariant(Timestamped, Base):
    """One wording for one situation and phase; a contact never gets the same one twice.

    ``scope`` "*" is the library every team shares (shipped, kept by admins); a team id as text is
    that team's own variant, or its copy of a shared one under the same key, which the team uses
    instead. The key names the message across copies, so rotation never repeats it."""

    __tablename__ = "message_variants"
    __table_args__ = (Index("ix_message_variants_situation_phase", "situation", "phase"),
                      UniqueConstraint("scope", "key", name="uq_message_variants_scope_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(20), default="*", server_default="*")
    key: Mapped[str] = mapped_column(String(80))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    situation: Mapped[str] = mapped_column(String(20))
    phase: Mapped[str | None] = mapped_column(String(20))  # None: fits any phase
    attempt: Mapped[int | None]
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    pairs_with_key: Mapped[str | None] = mapped_column(String(80))
    is_active: Mapped[bool] = mapped_column(default=True)
