"""Reading our event schema and Segment's, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

from ember.events.rules import parse_body

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


def _parse(body):  # type: ignore[no-untyped-def]
    return parse_body(body, source="website", webhook_id="msg_1", now=NOW)


def test_our_schema_single_event() -> None:
    parsed = _parse({"source": "website", "type": "demo_use", "id": "d1", "email": "Ann@X.example",
                     "occurred_at": "2026-03-04T14:00:00+01:00"})
    assert parsed.problems == []
    (event,) = parsed.events
    assert (event.type, event.email, event.occurred_at) == ("demo_use", "ann@x.example",
                                                            datetime(2026, 3, 4, 13, 0, tzinfo=UTC))


def test_every_problem_is_named_with_a_fix() -> None:
    parsed = _parse([{"source": "newsletter", "type": "page_view", "id": "a", "occurred_at": "2026-03-04T14:00:00"},
                     {"type": "page_view", "id": "b", "occurred_at": "2027-01-01T00:00:00Z", "email": "nope"},
                     "not an object"])
    where = {p.where: p for p in parsed.problems}
    assert "signature" in where["event 1.source"].what
    assert "Z or an offset" in where["event 1.occurred_at"].fix
    assert "future" in where["event 2.occurred_at"].what
    assert "event 2.email" in where and "event 3" in where


def test_segment_without_message_id_uses_the_delivery_id() -> None:
    parsed = _parse([{"type": "page", "anonymousId": "a1", "timestamp": "2026-03-04T14:00:00Z",
                      "context": {"page": {"url": "https://acme.example/demo"}}}])
    (event,) = parsed.events
    assert event.external_id == "msg_1:0" and event.url == "https://acme.example/demo"


def test_repeated_ids_in_one_batch_count_once() -> None:
    one = {"source": "website", "type": "email_click", "id": "x", "email": "a@b.example",
           "occurred_at": "2026-03-04T14:00:00Z"}
    assert len(_parse([one, one]).events) == 1
