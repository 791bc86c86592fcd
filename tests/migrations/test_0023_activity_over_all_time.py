"""Revision 0023: each rep's activity over all time is added up from the months already counted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from ember.db import unit_of_work
from ember.demo.generator import generate
from ember.models import ActivityTally
from ember.tallies.rules import ALL_TIME
from ember.tallies.service import recount
from tests.migrations.support import revision, run_step

MIGRATION = revision("0023_activity_over_all_time")
NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)


def _all_time(engine: Engine) -> dict[tuple[int, str, str], int]:
    with unit_of_work(engine) as session:
        return {(r.rep_id, r.channel, r.outcome): r.touches
                for r in session.scalars(select(ActivityTally).where(ActivityTally.month == ALL_TIME))}


@pytest.mark.db
def test_the_migration_adds_the_all_time_rows_a_recount_would_make(engine: Engine) -> None:
    generate(engine, contacts=40, seed=7, now=NOW)
    recount(engine, now=datetime.now(UTC) + timedelta(hours=1))
    counted = _all_time(engine)
    assert counted and sum(counted.values()) > 100
    with unit_of_work(engine) as session:  # as the counts were before this revision
        session.execute(ActivityTally.__table__.delete().where(ActivityTally.month == ALL_TIME))
    assert _all_time(engine) == {}
    run_step(engine, MIGRATION.upgrade)  # the revision's own code, on the real database
    assert _all_time(engine) == counted
    assert date(1, 1, 1) == ALL_TIME
