"""Segment's and RudderStack's own Python libraries, pointed at a running Ember."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from rudderstack.analytics.client import Client as RudderClient
from segment.analytics.client import Client as SegmentClient

from tests.factories import make_user
from tests.tracking.support import add_source, alert_count, browser_key, stored
from tests.trigger_support import drain, make_contact

pytestmark = pytest.mark.db

PRICING = "https://acme.example/pricing?plan=team"


def _errors() -> tuple[list[Any], Any]:
    seen: list[Any] = []
    return seen, lambda error, batch: seen.append(error)


@pytest.mark.parametrize("gzip", [False, True])
def test_a_pricing_page_call_from_segments_library_alerts_once(server_url, engine, settings, gzip) -> None:  # type: ignore[no-untyped-def]
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    key = add_source(engine, "backend", "segment").write_key
    errors, on_error = _errors()
    client = SegmentClient(write_key=key, host=server_url, gzip=gzip, on_error=on_error, max_retries=0)
    for _ in range(2):  # the second is a retry of the same call: same messageId
        client.page(user_id="nora@prospect.example", name="Pricing", properties={"url": PRICING},
                    message_id="seg-msg-1")
        client.flush()
    client.join()
    assert errors == []
    drain(settings)
    rows = stored(engine)
    assert [(r.source, r.type, r.url, r.external_id) for r in rows] == [("backend", "page_view", PRICING, "seg-msg-1")]
    assert rows[0].contact_id is not None
    assert alert_count(engine) == 1


def test_rudderstacks_library_with_identify_ties_earlier_visits(server_url, engine, settings) -> None:  # type: ignore[no-untyped-def]
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    key = add_source(engine, "rudder", "segment").write_key
    errors, on_error = _errors()
    client = RudderClient(write_key=key, host=server_url, gzip=True, on_error=on_error, max_retries=0)
    # An anonymous visitor reads the pricing page, then signs up: the visit becomes Nora's.
    client.page(anonymous_id="anon-42", name="Pricing", properties={"url": PRICING})
    client.flush()
    drain(settings)
    assert alert_count(engine) == 0
    client.identify(user_id="user-7", anonymous_id="anon-42", traits={"email": "Nora@Prospect.example"})
    client.track(user_id="user-7", event="Webinar Registered", properties={"webinar": "Q3 launch"})
    client.flush()
    client.join()
    assert errors == []
    drain(settings)
    rows = {r.type: r for r in stored(engine)}
    assert rows["page_view"].contact_id is not None and rows["page_view"].anonymous_id == "a:anon-42"
    assert rows["webinar_rsvp"].contact_id == rows["page_view"].contact_id
    assert alert_count(engine) == 2  # the pricing visit and the webinar registration


def test_a_revoked_key_is_refused(server_url, engine) -> None:  # type: ignore[no-untyped-def]
    from ember.db import unit_of_work
    from ember.tracking import service

    key = add_source(engine, "backend", "segment").write_key
    assert key is not None
    with unit_of_work(engine) as session:
        service.revoke_write_key(session, "backend", key[:10])
    errors, on_error = _errors()
    client = SegmentClient(write_key=key, host=server_url, on_error=on_error, max_retries=0)
    client.track(user_id="u1", event="Demo Started", timestamp=datetime.now(UTC))
    client.flush()
    client.join()
    assert len(errors) == 1 and getattr(errors[0], "status", None) == 401
    assert stored(engine) == []


def test_alias_merges_an_anonymous_visitor_into_the_contact(server_url, engine, settings) -> None:  # type: ignore[no-untyped-def]
    rep = make_user(engine, "rep@ember.example")
    contact_id = make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    key = add_source(engine, "backend", "segment").write_key
    errors, on_error = _errors()
    client = SegmentClient(write_key=key, host=server_url, on_error=on_error, max_retries=0)
    # Visits under an anonymous id, then the server learns who it is: identify by email under a
    # user id, and alias that user id to the anonymous one.
    client.page(anonymous_id="anon-7", name="Pricing", properties={"url": PRICING}, message_id="visit-1")
    client.identify(user_id="user-7", traits={"email": "nora@prospect.example"}, message_id="who-1")
    client.alias(previous_id="anon-7", user_id="user-7", message_id="alias-1")
    # Later calls on either id are Nora's.
    client.page(anonymous_id="anon-7", name="Demo", properties={"url": "https://acme.example/demo"},
                message_id="visit-2")
    client.track(user_id="user-7", event="Webinar Registered", message_id="rsvp-1")
    client.flush()
    client.join()
    assert errors == []
    drain(settings)
    rows = {r.external_id: r for r in stored(engine)}
    assert {rows[m].contact_id for m in ("visit-1", "visit-2", "rsvp-1", "who-1")} == {contact_id}
    assert rows["alias-1"].anonymous_id == "u:user-7" and rows["visit-1"].anonymous_id == "a:anon-7"
    assert alert_count(engine) == 3  # pricing, demo page, webinar registration


def test_an_alias_before_anyone_is_known_ties_both_ids_once_one_is(server_url, engine, settings) -> None:  # type: ignore[no-untyped-def]
    rep = make_user(engine, "rep@ember.example")
    contact_id = make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    key = add_source(engine, "backend", "segment").write_key
    client = SegmentClient(write_key=key, host=server_url, max_retries=0)
    client.page(anonymous_id="anon-8", name="Pricing", properties={"url": PRICING}, message_id="visit-1")
    client.alias(previous_id="anon-8", user_id="user-8", message_id="alias-1")
    client.flush()
    drain(settings)
    assert alert_count(engine) == 0  # nobody known yet
    # The server identifies the user id only: the anonymous visits come along through the alias.
    client.identify(user_id="user-8", traits={"email": "nora@prospect.example"}, message_id="who-1")
    client.flush()
    client.join()
    drain(settings)
    rows = {r.external_id: r for r in stored(engine)}
    assert rows["visit-1"].contact_id == contact_id
    assert alert_count(engine) == 1


def test_an_alias_from_a_browser_key_merges_nothing(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    add_source(engine, "site", "segment")
    key = browser_key(engine, "site")
    answer = client.post("/v1/alias", json={"userId": "victim", "previousId": "me", "messageId": "m1"},
                         auth=(key, ""))
    assert answer.status_code == 200
    drain(settings)
    assert stored(engine) == []
    bad = client.post("/v1/alias", json={"userId": "someone", "messageId": "m2"}, auth=(key, ""))
    assert bad.status_code == 422 and "previousId" in bad.text
