"""Helpers for the tracking tests: sources of each kind, counts, alerts."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from ember.db import unit_of_work
from ember.models import Alert, InboundEvent
from ember.tracking import service

BASE = "http://ember.test"


def add_source(engine: Engine, name: str, kind: str, secret: str | None = None) -> service.SourceSetup:
    with unit_of_work(engine) as session:
        return service.add_source(session, name, kind, provider_secret=secret, base_url=BASE)


def browser_key(engine: Engine, name: str) -> str:
    with unit_of_work(engine) as session:
        key = service.add_write_key(session, name, "browser", base_url=BASE).write_key
    assert key is not None
    return key


def stored(engine: Engine) -> list[InboundEvent]:
    with unit_of_work(engine) as session:
        rows = list(session.scalars(select(InboundEvent).order_by(InboundEvent.id)))
        session.expunge_all()
    return rows


def alert_count(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Alert)) or 0)
