from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, utcnow


class ComposeTemplate(Base):
    """An edited follow-up template (note, opener, brief, email); defaults ship as files.

    ``scope`` "*" is the wording every team shares (an admin's edit); a team id as text is that
    team's own copy, which only the team sees. The unique key holds for both (a NULL team id would
    not be unique)."""

    __tablename__ = "compose_templates"
    __table_args__ = (UniqueConstraint("scope", "name", name="uq_compose_templates_scope_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(20), default="*", server_default="*")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
