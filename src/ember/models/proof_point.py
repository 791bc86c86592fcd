from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class ProofPoint(Timestamped, Base):
    """A customer story or proof point a rep can bring to a follow-up."""

    __tablename__ = "proof_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), default="story")  # story | proof
    title: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(100))
    problem_keywords: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
