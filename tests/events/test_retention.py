"""Old events are forgotten in batches; waiting events and the alerts they raised stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ember.db import unit_of_work
from ember.events.retention import forget_old_events
from ember.models import Alert, InboundEvent
from tests.factories import make_user
from tests.trigger_support import make_contact

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def _event(session, name: str, age_days: int, status: str = "handled") -> InboundEvent:  # type: ignore[no-untyped-def]
    received = NOW - timedelta(days=age_days)
    event = InboundEvent(source="website", external_id=name, type="page_view", url="https://acme.example/",
                         occurred_at=received, received_at=received, status=status)
    session.add(event)
    session.flush()
    return event


def test_events_past_the_retention_go_in_batches_and_nothing_else(engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact_id = make_contact(engine, rep.id, "nora@prospect.example")
    with unit_of_work(engine) as session:
        for i in range(7):
            _event(session, f"old-{i}", age_days=400)
        _event(session, "old-but-waiting", age_days=400, status="pending")
        _event(session, "recent", age_days=10)
        raised = _event(session, "old-with-alert", age_days=500)
        session.add(Alert(dedup_key="a", contact_id=contact_id, rep_id=rep.id, event_id=raised.id,
                          summary="visited the pricing page", status="delivered", attempts=1, created_at=NOW))

    assert forget_old_events(engine, keep_days=365, now=NOW, batch=3) == 8

    with unit_of_work(engine) as session:
        left = set(session.scalars(select(InboundEvent.external_id)))
        alert = session.scalar(select(Alert))
        assert left == {"old-but-waiting", "recent"}
        assert alert is not None and alert.event_id is None  # the alert outlives its event
        assert alert.summary == "visited the pricing page"


def test_zero_keeps_every_event(engine) -> None:
    with unit_of_work(engine) as session:
        _event(session, "ancient", age_days=4000)
    assert forget_old_events(engine, keep_days=0, now=NOW) == 0
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 1


def test_the_command_deletes_by_hand(ember, engine) -> None:
    with unit_of_work(engine) as session:
        _event(session, "ancient", age_days=4000)
        _event(session, "fresh", age_days=1)
    result = ember("db", "forget-events", "--keep-days", "30")
    assert result.exit_code == 0, result.stderr
    assert "Deleted 1 events" in result.stdout
