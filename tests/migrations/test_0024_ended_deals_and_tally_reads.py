"""Revision 0024: every rep's first conversations together are added up from the rows already counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from ember.db import unit_of_work
from ember.demo.generator import generate
from ember.models import FtcTally
from ember.tallies.rules import ALL_REPS
from ember.tallies.service import recount
from tests.migrations.support import revision, run_step

MIGRATION = revision("0024_ended_deals_and_tally_reads")
NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)


def _every_rep(engine: Engine) -> dict[tuple[int, object], int]:
    with unit_of_work(engine) as session:
        return {(r.attempt, r.month): r.contacts
                for r in session.scalars(select(FtcTally).where(FtcTally.rep_id == ALL_REPS))}


@pytest.mark.db
def test_the_migration_adds_the_every_rep_rows_a_recount_would_make(engine: Engine) -> None:
    generate(engine, contacts=40, seed=7, now=NOW)
    recount(engine, now=datetime.now(UTC) + timedelta(hours=1))
    counted = _every_rep(engine)
    assert counted and sum(counted.values()) > 5
    run_step(engine, MIGRATION.downgrade)  # as the counts were before this revision
    assert _every_rep(engine) == {}
    run_step(engine, MIGRATION.upgrade)  # the revision's own code, on the real database
    assert _every_rep(engine) == counted
