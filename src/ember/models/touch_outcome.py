from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class TouchOutcome(Timestamped, Base):
    """An outcome a team adds to the built-in ones (e.g. "sent LinkedIn invite")."""

    __tablename__ = "touch_outcomes"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    # Whether a touch with this outcome ends the FTC phase for the contact.
    counts_as_conversation: Mapped[bool] = mapped_column(default=False)
