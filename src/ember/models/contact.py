from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped, utcnow


class Contact(Timestamped, Base):
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_owner_status", "owner_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    phone: Mapped[str | None] = mapped_column(String(50))  # the number to call first
    mobile_phone: Mapped[str | None] = mapped_column(String(50))
    home_phone: Mapped[str | None] = mapped_column(String(50))
    other_phone: Mapped[str | None] = mapped_column(String(50))
    assistant_phone: Mapped[str | None] = mapped_column(String(50))
    # E.164 form of ``phone``: an import matches a contact without email by phone and name.
    phone_key: Mapped[str | None] = mapped_column(String(32), index=True)
    # The contact asked not to be called / emailed (CRM opt-out fields); planning skips that channel.
    do_not_call: Mapped[bool] = mapped_column(default=False, server_default=false())
    do_not_email: Mapped[bool] = mapped_column(default=False, server_default=false())
    linkedin_url: Mapped[str | None] = mapped_column(String(500))
    country: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str | None] = mapped_column(String(64))
    decision_role: Mapped[str] = mapped_column(String(20), default="unknown")
    decision_role_evidence: Mapped[str | None] = mapped_column(Text)
    # "manual" when a rep set the role: analysis then never overwrites it.
    decision_role_source: Mapped[str | None] = mapped_column(String(20))
    preferred_channel: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="active")
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or (self.email or f"contact {self.id}")
