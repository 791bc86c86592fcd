from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class TriggerRule(Timestamped, Base):
    """Which events mean a contact is warm again."""

    __tablename__ = "trigger_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str] = mapped_column(String(40))
    url_pattern: Mapped[str | None] = mapped_column(String(300))  # glob, e.g. */pricing*
    min_count: Mapped[int] = mapped_column(default=1)
    window_hours: Mapped[int] = mapped_column(default=24 * 7)
    audience: Mapped[str] = mapped_column(String(12), default="any")  # nurture | stalled | any
    is_active: Mapped[bool] = mapped_column(default=True)
    # Set on the rules Ember ships (unique), so two workers seeding them at once add each once.
    default_key: Mapped[str | None] = mapped_column(String(60), unique=True)
