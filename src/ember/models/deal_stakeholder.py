from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class DealStakeholder(Timestamped, Base):
    """A contact involved in a deal, with their role in this deal's decision."""

    __tablename__ = "deal_stakeholders"
    __table_args__ = (UniqueConstraint("deal_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default="unknown")
    is_primary: Mapped[bool] = mapped_column(default=False)
