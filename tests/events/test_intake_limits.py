"""POST /events checks the signature over the raw bytes before reading any JSON,
and refuses bodies that are too deep or too large with a clear 4xx."""

from __future__ import annotations

from sqlalchemy import func, select

from ember.db import unit_of_work
from ember.models import InboundEvent
from tests.trigger_support import event, make_source, signed


def _stored(engine) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return int(session.scalar(select(func.count()).select_from(InboundEvent)) or 0)


def test_an_unsigned_deeply_nested_body_is_refused_as_unsigned(client, engine) -> None:
    make_source(engine, "website")
    make_source(engine, "webinars")  # with several sources the old code read the body to guess which one
    bomb = b"[" * 200_000 + b"]" * 200_000
    headers = {"webhook-id": "msg_1", "webhook-timestamp": "1700000000", "webhook-signature": "v1,AAAA",
               "content-type": "application/json"}
    response = client.post("/events", content=bomb, headers=headers)
    assert response.status_code == 401, response.text
    assert "signature" in response.json()["error"]["message"]


def test_a_signed_body_nested_too_deep_is_refused_with_the_limit(client, engine) -> None:
    secret = make_source(engine)
    deep: object = "x"
    for _ in range(100):
        deep = {"k": deep}
    raw, headers = signed(secret, event(properties=deep))
    response = client.post("/events", content=raw, headers=headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert "nested" in error["message"] and "32" in error["problems"][0]["fix"]
    assert _stored(engine) == 0


def test_a_signed_body_over_the_events_limit_is_refused_before_it_is_read(client, engine, settings) -> None:
    secret = make_source(engine)
    big = [event(id_=f"e{i}", padding="p" * 2000) for i in range(600)]
    raw, headers = signed(secret, big)
    assert len(raw) > settings.events.events_max_bytes
    response = client.post("/events", content=raw, headers=headers)
    assert response.status_code == 413, response.text
    assert "EMBER_EVENTS_MAX_BYTES" in response.json()["error"]["message"]
    assert _stored(engine) == 0


def test_a_signed_body_at_normal_depth_is_still_taken(client, engine) -> None:
    secret = make_source(engine)
    make_source(engine, "webinars")
    raw, headers = signed(secret, [event(id_="e1", context={"page": {"url": "https://acme.example/a"}})])
    response = client.post("/events", content=raw, headers=headers)
    assert response.status_code == 202, response.text
    assert _stored(engine) == 1
