from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class ProofPoint(Timestamped, Base):
    """A customer story or proof point a rep can bring to a follow-up.

    Without a team it is shared by every team (kept by admins). A team's row is its own story, or,
    with ``replaces_id``, the team's copy of a shared one: the team sees its copy instead, and a
    hidden copy takes the shared story out of the team's library."""

    __tablename__ = "proof_points"
    __table_args__ = (UniqueConstraint("team_id", "replaces_id", name="uq_proof_points_team_id_replaces_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("proof_points.id", ondelete="SET NULL"))
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())
    kind: Mapped[str] = mapped_column(String(12), default="story")  # story | proof
    title: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(100))
    problem_keywords: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
