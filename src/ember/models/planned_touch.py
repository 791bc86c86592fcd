from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class PlannedTouch(Timestamped, Base):
    """The next touch Ember proposes for a contact: what, when, why."""

    __tablename__ = "planned_touches"
    __table_args__ = (
        Index("ix_planned_touches_rep_status_due", "rep_id", "status", "due_at"),
        Index("ix_planned_touches_contact_status", "contact_id", "status"),
        Index("ix_planned_touches_deal_status", "deal_id", "status"),  # a deal's plans: contact page, replanning
        Index("ix_planned_touches_booking_key", "booking_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # ftc | follow_up | callback | trigger | multithread | next_step | meeting
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime]
    label: Mapped[str | None] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(Text, default="")
    message_variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("message_variants.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="planned")
    caused_by_touch_id: Mapped[int | None] = mapped_column(
        ForeignKey("touches.id", ondelete="SET NULL")
    )
    # A meeting the contact booked in a scheduling tool: "<source>:<the tool's booking id>".
    booking_key: Mapped[str | None] = mapped_column(String(300))
