"""POST /events: signatures, our schema and Segment's, dedup, and what a trigger does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from ember.db import unit_of_work
from ember.models import Alert, Contact, InboundEvent, NurtureMembership, PlannedTouch
from tests.factories import make_user
from tests.trigger_support import drain, event, make_contact, make_source, signed


def _count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_valid_signature_is_accepted_and_stored(client, engine) -> None:
    secret = make_source(engine)
    raw, headers = signed(secret, event())
    response = client.post("/events", content=raw, headers=headers)
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 1
    assert _count(engine, InboundEvent) == 1


def test_wrong_secret_is_refused_and_nothing_stored(client, engine) -> None:
    make_source(engine)
    other = "whsec_" + "A" * 43 + "="
    raw, headers = signed(other, event())
    response = client.post("/events", content=raw, headers=headers)
    assert response.status_code == 401
    assert "signature" in response.json()["error"]["message"]
    assert _count(engine, InboundEvent) == 0


def test_stale_timestamp_is_refused(client, engine) -> None:
    secret = make_source(engine)
    raw, headers = signed(secret, event(), at=datetime.now(UTC) - timedelta(minutes=6))
    response = client.post("/events", content=raw, headers=headers)
    assert response.status_code == 401
    assert "old" in response.json()["error"]["message"]
    assert _count(engine, InboundEvent) == 0


def test_tampered_body_and_missing_headers_are_refused(client, engine) -> None:
    secret = make_source(engine)
    raw, headers = signed(secret, event())
    assert client.post("/events", content=raw.replace(b"pricing", b"careers"), headers=headers).status_code == 401
    assert client.post("/events", content=raw, headers={"content-type": "application/json"}).status_code == 401
    assert _count(engine, InboundEvent) == 0


def test_replayed_webhook_is_a_retry_not_a_new_event(client, engine) -> None:
    secret = make_source(engine)
    raw, headers = signed(secret, event(), msg_id="msg_replayed")
    first = client.post("/events", content=raw, headers=headers).json()
    again = client.post("/events", content=raw, headers=headers).json()
    assert (first["accepted"], again["accepted"], again["duplicates"]) == (1, 0, 1)
    assert _count(engine, InboundEvent) == 1


def test_invalid_events_are_explained_and_nothing_is_stored(client, engine) -> None:
    secret = make_source(engine)
    batch = [event(id_="ok"), {"source": "website", "type": "pricing_visit", "occurred_at": "yesterday"}]
    raw, headers = signed(secret, batch)
    response = client.post("/events", content=raw, headers=headers)
    assert response.status_code == 422
    problems = {p["where"]: p for p in response.json()["error"]["problems"]}
    assert "page_view" in problems["event 2.type"]["fix"]
    assert "event 2.id" in problems and "event 2.occurred_at" in problems
    assert _count(engine, InboundEvent) == 0


def test_segment_shapes_in_a_batch(client, engine) -> None:
    secret = make_source(engine, "segment")
    now = datetime.now(UTC).isoformat()
    batch = {"batch": [
        {"type": "page", "messageId": "m1", "anonymousId": "anon-7", "timestamp": now,
         "properties": {"url": "https://acme.example/pricing", "path": "/pricing"}},
        {"type": "track", "event": "Webinar Registered", "messageId": "m2", "userId": "nora@prospect.example",
         "timestamp": now, "properties": {}},
        {"type": "identify", "messageId": "m3", "anonymousId": "anon-7", "timestamp": now,
         "traits": {"email": "Nora@Prospect.example"}},
        {"type": "track", "event": "Order Completed", "messageId": "m4", "timestamp": now},
    ]}
    raw, headers = signed(secret, batch)
    body = client.post("/events", content=raw, headers=headers).json()
    assert body["accepted"] == 3 and body["skipped"] == ["Order Completed"]
    with unit_of_work(engine) as session:
        rows = {e.external_id: e for e in session.scalars(select(InboundEvent))}
    assert rows["m1"].type == "page_view" and rows["m1"].url == "https://acme.example/pricing"
    assert rows["m2"].type == "webinar_rsvp" and rows["m2"].email == "nora@prospect.example"
    assert rows["m3"].type == "identify" and rows["m3"].email == "nora@prospect.example"


@time_machine.travel(datetime(2026, 3, 4, 10, 0, tzinfo=UTC), tick=True)  # a Wednesday morning in Berlin
def test_same_event_three_times_gives_one_alert_and_reopens_the_contact(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact_id = make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    secret = make_source(engine)
    for attempt in range(3):
        raw, headers = signed(secret, event(id_="pricing-1"), msg_id=f"delivery-{attempt}")
        assert client.post("/events", content=raw, headers=headers).status_code == 202
        drain(settings)
    alerts = client.get("/api/alerts", headers=rep.headers).json()
    assert len(alerts) == 1
    assert alerts[0]["contact_email"] == "nora@prospect.example" and alerts[0]["rule"] == "Pricing page visit"
    with unit_of_work(engine) as session:
        contact = session.get(Contact, contact_id)
        membership = session.scalar(select(NurtureMembership).where(NurtureMembership.contact_id == contact_id))
        plan = session.scalar(select(PlannedTouch).where(PlannedTouch.contact_id == contact_id,
                                                         PlannedTouch.status == "planned"))
    assert contact is not None and contact.status == "active"
    assert membership is not None and membership.ended_reason == "trigger" and membership.ended_at is not None
    assert plan is not None and plan.kind == "trigger" and "pricing" in plan.reason
    queue = client.get("/api/today", headers=rep.headers).json()
    assert queue[0]["contact_email"] == "nora@prospect.example"
    kinds = [item["kind"] for item in queue if item["contact_email"] == "nora@prospect.example"]
    assert kinds[0] == "alert" and "trigger" in kinds  # the trigger follow-up is due now: the rep is working
    trigger = next(item for item in queue if item["kind"] == "trigger")
    assert trigger["variant"] and "pricing" in trigger["reason"]


def test_a_later_event_in_the_same_window_raises_no_second_alert(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example")
    secret = make_source(engine)
    for index in range(2):
        raw, headers = signed(secret, event(id_=f"view-{index}"), msg_id=f"d{index}")
        client.post("/events", content=raw, headers=headers)
        drain(settings)
    assert _count(engine, Alert) == 1


def test_unknown_visitor_is_kept_and_matched_when_the_email_appears(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    secret = make_source(engine)
    raw, headers = signed(secret, event(id_="anon-view", email=None, anonymous_id="visitor-9"), msg_id="a")
    client.post("/events", content=raw, headers=headers)
    drain(settings)
    assert _count(engine, Alert) == 0
    identify = event("identify", id_="who", url=None, anonymous_id="visitor-9")
    raw, headers = signed(secret, identify, msg_id="b")
    client.post("/events", content=raw, headers=headers)
    drain(settings)
    alerts = client.get("/api/alerts", headers=rep.headers).json()
    assert [a["rule"] for a in alerts] == ["Pricing page visit"]
    with unit_of_work(engine) as session:
        assert all(e.contact_id is not None for e in session.scalars(select(InboundEvent)))


def test_non_hot_page_and_do_not_contact_raise_nothing(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example")
    dnc = make_contact(engine, rep.id, "dan@prospect.example", first="Dan")
    with unit_of_work(engine) as session:
        contact = session.get(Contact, dnc)
        assert contact is not None
        contact.status = "do-not-contact"
    secret = make_source(engine)
    batch = [event(id_="blog", url="https://acme.example/blog/hello"),
             event(id_="dnc", email="dan@prospect.example")]
    raw, headers = signed(secret, batch)
    client.post("/events", content=raw, headers=headers)
    drain(settings)
    assert _count(engine, Alert) == 0
    with unit_of_work(engine) as session:
        assert {e.status for e in session.scalars(select(InboundEvent))} == {"handled"}
