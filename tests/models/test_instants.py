"""Instants are stored in UTC and come back aware on both engines; a naive one never reaches the table."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import StatementError

from ember.db import unit_of_work
from ember.models import Team


def test_an_instant_from_any_zone_comes_back_the_same_instant_in_utc(engine: Engine) -> None:
    tokyo_morning = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    with unit_of_work(engine) as session:
        session.add(Team(name="East", created_at=tokyo_morning))
    with unit_of_work(engine) as session:
        stored = session.scalar(select(Team.created_at).where(Team.name == "East"))
    assert stored == tokyo_morning
    assert stored is not None and stored.tzinfo is not None and stored.utcoffset() == UTC.utcoffset(None)
    assert stored.hour == 0  # 9:00 in Tokyo is midnight UTC


def test_a_naive_datetime_is_refused_and_nothing_is_written(engine: Engine) -> None:
    with pytest.raises(StatementError, match="naive datetime"), unit_of_work(engine) as session:
        session.add(Team(name="Nowhere", created_at=datetime(2026, 3, 2, 9, 0)))
        session.flush()
    with unit_of_work(engine) as session:
        assert session.scalar(select(Team.id).where(Team.name == "Nowhere")) is None
