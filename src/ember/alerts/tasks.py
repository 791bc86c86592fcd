"""Background work of alerts: deliver one alert to the rep's destinations, find what is due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from ember.alerts import delivery
from ember.alerts.destinations import destination_policy
from ember.alerts.repository import due_deliveries
from ember.db import unit_of_work
from ember.settings import Settings


def deliver_alert(engine: Engine, settings: Settings, alert_id: int, *, now: Callable[[], datetime]) -> datetime | None:
    """Claim, send and record one alert; when it must be tried again, when."""
    with unit_of_work(engine) as session:
        message = delivery.claim(session, alert_id, now=now(), public_url=settings.server.public_url)
    if message is None:
        return None
    sent = delivery.send(message, destination_policy(settings))
    with unit_of_work(engine) as session:
        return delivery.record(session, alert_id, sent, now=now())


def due_alerts(engine: Engine, moment: datetime, limit: int) -> list[int]:
    with unit_of_work(engine) as session:
        return due_deliveries(session, moment, limit)
