"""The team numbers' reads stay index-driven, so the page keeps up with a large history.

A read that walks a whole table once per row of another (as the nurture funnel
once walked every alert for every nurture membership) takes seconds on a demo
and hours on a million contacts; the figures are the same either way, so only
the plan shows it. Each statement the team numbers run is explained on SQLite
and checked for a scan inside a correlated subquery.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from ember.analytics import repository as repo
from ember.analytics.repository import Scope
from ember.db import make_engine
from ember.demo.generator import generate
from ember.migrate import upgrade

NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)


def _statements(engine: Engine, work: Any) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return seen


def _scans_per_row(engine: Engine, statement: str, parameters: Any) -> list[str]:
    """Tables scanned whole inside a correlated subquery: once per outer row."""
    with engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    correlated = {row[0] for row in plan if "CORRELATED" in row[3]}
    inside: set[int] = set()
    bad = []
    for node, parent, _unused, detail in plan:
        if parent in correlated or parent in inside:
            inside.add(node)
            if detail.startswith("SCAN ") and "COVERING INDEX" not in detail and "INDEX" not in detail:
                bad.append(detail)
    return bad


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """SQLite whatever the test backend: the plan checked here is SQLite's."""
    built = make_engine(f"sqlite:///{tmp_path / 'plans.db'}")
    upgrade(built)
    return built


def test_every_team_read_finds_its_rows_through_an_index(engine: Engine) -> None:
    generate(engine, contacts=120, seed=5, now=NOW)
    scope = Scope(None, None)
    with Session(engine) as session:
        talked = repo.conversation_outcomes(session)

        def everything() -> None:
            repo.deal_follow_ups(session, scope)
            repo.cycle_days(session, scope)
            # From the ending counts, with a partial month and touches not folded in yet.
            tail = repo.Part(after_id=10, upto_id=10**9)
            recent = Scope(None, datetime(2026, 1, 14, tzinfo=UTC))
            for month in (date(2026, 2, 1), date(2026, 1, 1)):  # the days of a partial month added, taken out
                repo.deal_follow_ups(session, recent, repo.Counted(month, tail))
                repo.cycle_days(session, recent, repo.Counted(month, tail))
            repo.ftc_attempts(session, scope, talked)
            repo.call_hours(session, scope, talked)
            repo.discovery_calls(session, scope)
            repo.nurture_funnel(session, scope)
            repo.activity(session, scope)
            repo.calls_analysed(session, scope)
            repo.stalled_deals(session, scope)
            repo.calls_to_coach(session, scope)

        statements = _statements(engine, everything)
    assert len(statements) >= 10
    problems = {s.split("FROM", 1)[0][:80]: bad for s, p in statements if (bad := _scans_per_row(engine, s, p))}
    assert problems == {}, f"a table is scanned once per row: {problems}"


def test_the_touches_of_a_partial_month_are_read_as_a_range_of_each_reps_touches(engine: Engine) -> None:
    """A period's first, partial month is read from the touches: one range per rep, not every touch there is."""
    generate(engine, contacts=120, seed=5, now=NOW)
    scope = Scope(None, datetime(2026, 1, 14, tzinfo=UTC))
    part = repo.Part(before=datetime(2026, 2, 1, tzinfo=UTC), upto_id=10**9)
    with Session(engine) as session:
        talked = repo.conversation_outcomes(session)

        def edge() -> None:
            repo.activity(session, scope, part)
            repo.ftc_attempts(session, scope, talked, part)
            repo.call_hours(session, scope, talked, part)

        statements = [(s, p) for s, p in _statements(engine, edge) if "occurred_at <" in s]
    assert len(statements) == 3
    for statement, parameters in statements:
        with engine.connect() as connection:
            plan = [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
        touches = [step for step in plan if " touches " in f"{step} "]
        assert touches and all("occurred_at>" in step for step in touches), plan
