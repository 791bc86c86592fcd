"""Revision 0026: the ending and cycle counts of the deals already there are what a recount makes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from ember.db import unit_of_work
from ember.demo.generator import generate
from ember.models import DealCycleTally, DealEndTally
from ember.tallies.service import recount
from tests.migrations.support import revision, run_step

MIGRATION = revision("0026_deal_ending_tallies")
NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)


def _counts(engine: Engine) -> dict[str, dict[tuple[Any, ...], int]]:
    with Session(engine) as session:
        endings = {(r.owner_id, r.month, r.outcome, r.said_no, r.follow_ups): r.deals
                   for r in session.scalars(select(DealEndTally)) if r.deals}
        cycles = {(r.owner_id, r.month, r.outcome, r.days): r.deals
                  for r in session.scalars(select(DealCycleTally)) if r.deals}
    return {"endings": endings, "cycles": cycles}


@pytest.mark.db
def test_the_migration_counts_the_ended_deals_as_a_recount_would_and_goes_back(engine: Engine) -> None:
    generate(engine, contacts=60, seed=5, now=NOW)
    recount(engine, now=datetime.now(UTC) + timedelta(hours=1))
    counted = _counts(engine)
    assert sum(counted["endings"].values()) > 20 and counted["cycles"]
    assert any(key[3] for key in counted["endings"])  # some ended deals heard a no
    run_step(engine, MIGRATION.downgrade)
    with unit_of_work(engine) as session:
        assert "deal_end_tallies" not in inspect(session.connection()).get_table_names()
    run_step(engine, MIGRATION.upgrade)  # counted from the deals and their counted touches
    assert _counts(engine) == counted
