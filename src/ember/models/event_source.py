from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, Timestamped


class EventSource(Timestamped, Base):
    """A system that sends us events (website, newsletter, webinar tool, scheduler, forms)."""

    __tablename__ = "event_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The signing secret must be kept readable to verify signatures (HMAC).
    secret: Mapped[str] = mapped_column(String(200))
    # What sends to it: webhook (Standard Webhooks), segment, mailchimp, kit, zoom, calendly, hubspot, typeform.
    kind: Mapped[str] = mapped_column(String(20), default="webhook", server_default="webhook")
    # The secret the provider signs with when the provider, not Ember, makes it (Zoom, HubSpot, Kit);
    # readable for the same reason as ``secret``.
    provider_secret: Mapped[str | None] = mapped_column(String(300))
    # A manager's changes to the kind's default mapping (provider event -> Ember event type).
    mapping: Mapped[dict[str, Any] | None] = mapped_column(default=None)
