"""The hot path of POST /events: group commit, what a concurrent batch answers, the batched claim."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import func, insert, select

from ember.db import prompt_engine, unit_of_work
from ember.events.intake import EventWriter
from ember.events.repository import claim_contactless
from ember.events.rules import EventIn
from ember.models import Alert, InboundEvent
from tests.factories import make_user
from tests.trigger_support import drain, event, make_contact, make_source, signed


def _event(external_id: str, **fields: str) -> EventIn:
    return EventIn(external_id, "page_view", datetime.now(UTC), fields.get("email"), fields.get("anonymous_id"),
                   "https://acme.example/blog")


def test_one_commit_answers_each_request_with_its_own_new_and_duplicate_events(engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example")
    queued: list[list[int]] = []
    writer = EventWriter(engine, queued.append)
    now = datetime.now(UTC)
    nora = _event("b", email="nora@prospect.example")

    async def send() -> list[object]:
        calls = [writer.write("website", [_event("a"), nora], [], now),
                 writer.write("website", [nora, _event("c")], [], now),  # "b" again, in the same batch
                 writer.write("other", [_event("a")], ["Order Completed"], now)]  # another source's "a" is new
        return list(await asyncio.gather(*calls))

    first, second, third = asyncio.run(send())
    assert [(len(a.new_ids), a.duplicates) for a in (first, second, third)] == [(2, 0), (1, 1), (1, 0)]  # type: ignore[attr-defined]
    assert third.skipped == ["Order Completed"]  # type: ignore[attr-defined]
    with unit_of_work(engine) as session:
        waiting = list(session.scalars(select(InboundEvent.id).where(InboundEvent.status == "pending")))
        assert list(session.scalars(select(InboundEvent.external_id).where(InboundEvent.status == "pending"))) == ["b"]
    # Only the event someone is behind goes to the worker; the strangers' are settled in the same commit.
    assert [i for ids in queued for i in ids] == waiting
    again = asyncio.run(writer.write("website", [_event("a"), _event("d")], [], now))
    assert (len(again.new_ids), again.duplicates) == (1, 1)
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 5


def test_a_failing_queue_still_answers_and_leaves_the_events_pending(engine) -> None:
    def broken(_: list[int]) -> None:
        raise ConnectionError("queue away")

    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example")
    known = _event("x", email="nora@prospect.example")
    accepted = asyncio.run(EventWriter(engine, broken).write("website", [known], [], datetime.now(UTC)))
    assert len(accepted.new_ids) == 1
    with unit_of_work(engine) as session:
        assert session.scalar(select(InboundEvent.status)) == "pending"  # the sweep queues it


def test_a_write_behind_another_transaction_waits_for_it_and_then_lands(engine) -> None:
    # Another writer (a worker) holds the lock the write needs: the answer comes once it lets go.
    writer = EventWriter(prompt_engine(engine), lambda ids: None)
    now = datetime.now(UTC)
    held = engine.connect()
    transaction = held.begin()
    held.execute(insert(InboundEvent).values(source="website", external_id="a", type="page_view", payload={},
                                             occurred_at=now, received_at=now, status="handled"))
    released: list[float] = []

    def let_go() -> None:
        time.sleep(0.3)
        released.append(time.monotonic())
        transaction.rollback()
        held.close()

    holder = threading.Thread(target=let_go)
    holder.start()
    accepted = asyncio.run(writer.write("website", [_event("a")], [], now))
    answered = time.monotonic()
    holder.join()
    assert len(accepted.new_ids) == 1 and answered >= released[0]
    with unit_of_work(engine) as session:
        assert session.scalar(select(InboundEvent.status).where(InboundEvent.external_id == "a")) == "handled"


def test_batched_claim_takes_only_events_that_belong_to_nobody(engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact_id = make_contact(engine, rep.id, "nora@prospect.example")
    now = datetime.now(UTC)
    rows = [("stranger", None, "visitor-1", {}), ("by-email", "nora@prospect.example", None, {}),
            ("by-link", None, "visitor-2", {"contact_id": contact_id}), ("known-visitor", None, "visitor-3", {}),
            ("tied", None, "visitor-3", {})]
    with unit_of_work(engine) as session:
        ids = {}
        for external_id, email, anonymous_id, payload in rows:
            row = InboundEvent(source="website", external_id=external_id, type="page_view", email=email,
                               anonymous_id=anonymous_id, payload=payload, occurred_at=now)
            session.add(row)
            session.flush()
            ids[external_id] = row.id
        session.get(InboundEvent, ids["tied"]).contact_id = contact_id  # type: ignore[union-attr]
    with unit_of_work(engine) as session:
        claimed = claim_contactless(session, list(ids.values()), now)
    assert claimed == [ids["stranger"]]
    with unit_of_work(engine) as session:
        assert claim_contactless(session, [ids["stranger"]], now) == []  # claimed once only


def test_a_known_visitor_stays_known_behind_a_queue_of_its_own_events(engine) -> None:
    """The claim looks at a visitor's latest settled events only; events still waiting in the
    queue do not hide that the visitor was tied to someone."""
    rep = make_user(engine, "rep@ember.example")
    contact_id = make_contact(engine, rep.id, "nora@prospect.example")
    now = datetime.now(UTC)
    with unit_of_work(engine) as session:
        def add(external_id: str, visitor: str, **fields: object) -> int:
            row = InboundEvent(source="website", external_id=external_id, type="page_view", anonymous_id=visitor,
                               payload={}, occurred_at=now, **fields)
            session.add(row)
            session.flush()
            return row.id

        for index in range(30):  # a long anonymous history, then the day the visitor was recognised
            add(f"old-{index}", "visitor-1", status="handled", contact_id=contact_id)
        waiting = [add(f"queued-{index}", "visitor-1") for index in range(12)]
        for index in range(30):
            add(f"other-{index}", "visitor-2", status="handled")
        stranger = add("stranger-new", "visitor-2")
    with unit_of_work(engine) as session:
        assert claim_contactless(session, [*waiting, stranger], now) == [stranger]


def test_triggers_in_a_burst_each_alert_once(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    for index in range(3):
        make_contact(engine, rep.id, f"c{index}@prospect.example", nurture=True)
    secret = make_source(engine)
    stream = [event(id_=f"anon-{i}", email=None, anonymous_id=f"v{i}") for i in range(20)]
    stream += [event(id_=f"hot-{i}", email=f"c{i}@prospect.example") for i in range(3)]
    for index, item in enumerate(stream):
        raw, headers = signed(secret, item, msg_id=f"d{index}")
        assert client.post("/events", content=raw, headers=headers).status_code == 202
    drain(settings)
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 3
        statuses = set(session.scalars(select(InboundEvent.status)))
    assert statuses == {"handled"}


def test_wrong_method_and_bad_json_are_explained(client, engine) -> None:
    secret = make_source(engine)
    assert client.get("/events").status_code == 405
    raw, headers = signed(secret, "{not json")
    response = client.post("/events", content=raw, headers=headers)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_input"
    raw, headers = signed(secret, event())
    response = client.post("/events?source=website", content=raw, headers=headers)
    assert response.status_code == 202 and response.json()["accepted"] == 1
