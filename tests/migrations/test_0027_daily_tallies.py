"""Revision 0027: the daily counts of the touches already folded in are what a recount makes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from ember.db import unit_of_work
from ember.demo.generator import generate
from ember.models import CallDayTally, Contact, FtcDayTally, Touch, TouchOutcome
from ember.tallies.service import recount
from tests.migrations.support import revision, run_step

MIGRATION = revision("0027_daily_tallies")
NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)


def _counts(engine: Engine) -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    with Session(engine) as session:
        hours = {(r.day, r.weekday, r.hour): (r.calls, r.connects)
                 for r in session.scalars(select(CallDayTally)) if r.calls or r.connects}
        firsts = {(r.day, r.attempt): (r.contacts,) for r in session.scalars(select(FtcDayTally)) if r.contacts}
    return {"hours": hours, "firsts": firsts}


@pytest.mark.db
def test_the_migration_counts_the_folded_touches_by_day_as_a_recount_would_and_goes_back(engine: Engine) -> None:
    generate(engine, contacts=60, seed=5, now=NOW)
    with unit_of_work(engine) as session:
        # Zones off the hour and unknown ones (counted in UTC), and an outcome of the team's own that counts
        # as a conversation; set before the counts are made.
        called = session.scalars(select(Contact).where(Contact.id.in_(select(Touch.contact_id)))
                                 .order_by(Contact.id).limit(3)).all()
        for contact, zone in zip(called, ("Asia/Kathmandu", "Not/AZone", None), strict=True):
            contact.timezone = zone
        session.add(TouchOutcome(team_id=None, name="booked-a-demo", counts_as_conversation=True))
        call = session.scalars(select(Touch).where(Touch.channel == "call", Touch.label.like("FTC #%"))
                               .order_by(Touch.id)).first()
        assert call is not None
        call.outcome = "booked-a-demo"
    recount(engine, now=datetime.now(UTC) + timedelta(hours=1))
    counted = _counts(engine)
    assert sum(calls for calls, _ in counted["hours"].values()) > 100 and counted["firsts"]
    run_step(engine, MIGRATION.downgrade)
    with unit_of_work(engine) as session:
        tables = inspect(session.connection()).get_table_names()
        assert "call_day_tallies" not in tables and "ftc_day_tallies" not in tables
    run_step(engine, MIGRATION.upgrade)  # counted from the touches the cursor has passed
    assert _counts(engine) == counted


@pytest.mark.db
def test_the_migration_leaves_counts_never_folded_to_the_first_fold(engine: Engine) -> None:
    generate(engine, contacts=10, seed=5, now=NOW)
    run_step(engine, MIGRATION.downgrade)
    run_step(engine, MIGRATION.upgrade)
    assert _counts(engine) == {"hours": {}, "firsts": {}}
