"""/v1/*: what a Segment-style sender sees: keys, limits, time correction, who counts as whom."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from ember.db import unit_of_work
from ember.events.rules import identity_hash, identity_secret, tracked_url
from ember.jobs.registry import get_jobs
from ember.models import InboundEvent
from ember.tracking.batches import BATCH_TYPE
from tests.factories import make_user
from tests.tracking.support import add_source, alert_count, browser_key, stored
from tests.trigger_support import drain, make_contact

pytestmark = pytest.mark.db
PRICING = "https://acme.example/pricing"


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def _page(message_id: str = "m1", **fields: Any) -> dict[str, Any]:
    return {"type": "page", "messageId": message_id, "anonymousId": "anon-1",
            "timestamp": datetime.now(UTC).isoformat(), "properties": {"url": PRICING}, **fields}


def _nurture_contact(engine) -> int:  # type: ignore[no-untyped-def]
    rep = make_user(engine, "rep@ember.example")
    return make_contact(engine, rep.id, "nora@prospect.example", nurture=True)


def test_every_call_path_answers_like_segment(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    key = add_source(engine, "site", "segment").write_key
    assert key is not None
    now = datetime.now(UTC).isoformat()
    calls = {"track": {"event": "Demo Started", "userId": "u1"}, "page": {"anonymousId": "a1", "name": "Home"},
             "screen": {"userId": "u1", "name": "Pricing"},
             "identify": {"userId": "u1", "traits": {"email": "x@y.example"}},
             "group": {"userId": "u1", "groupId": "g1"}, "alias": {"userId": "u1", "previousId": "a1"}}
    for index, (path, call) in enumerate(calls.items()):
        response = client.post(f"/v1/{path}", json={**call, "messageId": f"c{index}", "timestamp": now},
                               headers=_auth(key))
        assert response.status_code == 200, response.text
        assert response.json() == {"success": True}
        assert response.headers["access-control-allow-origin"] == "*"
    drain(settings)
    types = sorted(r.type for r in stored(engine))
    # group is not used; an alias is kept once per id it names (the new, and the old as either kind)
    assert types == ["alias", "alias", "alias", "demo_use", "identify", "page_view", "page_view"]
    assert client.options("/v1/batch").status_code == 204


def test_write_key_in_the_body_and_short_paths_as_analytics_js_sends(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    key = browser_key(engine, add_source(engine, "site", "segment").name)
    body = json.dumps({**_page(), "writeKey": key})
    response = client.post("/v1/p", content=body, headers={"Content-Type": "text/plain"})
    assert response.status_code == 200, response.text
    drain(settings)
    assert [(r.type, r.payload["key"]) for r in stored(engine)] == [("page_view", "browser")]


def test_missing_unknown_and_malformed_keys_are_refused(client, engine) -> None:  # type: ignore[no-untyped-def]
    add_source(engine, "site", "segment")
    batch = {"batch": [_page()]}
    missing = client.post("/v1/batch", json=batch)
    assert missing.status_code == 401 and "write key" in missing.json()["message"]
    assert client.post("/v1/batch", json=batch, headers=_auth("wk_made-up")).status_code == 401
    assert client.post("/v1/batch", json=batch, headers={"Authorization": "Basic %%%"}).status_code == 401
    assert stored(engine) == []


def test_sent_at_corrects_the_senders_clock(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    key = add_source(engine, "site", "segment").write_key
    assert key is not None
    skewed = datetime.now(UTC) + timedelta(hours=3)  # the sender's clock runs three hours ahead
    batch = {"batch": [_page(timestamp=(skewed - timedelta(minutes=10)).isoformat())], "sentAt": skewed.isoformat()}
    assert client.post("/v1/batch", json=batch, headers=_auth(key)).status_code == 200
    drain(settings)
    happened = stored(engine)[0].occurred_at
    assert abs((datetime.now(UTC) - timedelta(minutes=10) - happened).total_seconds()) < 30


def test_size_limits_refuse_the_whole_batch(client, engine) -> None:  # type: ignore[no-untyped-def]
    key = add_source(engine, "site", "segment").write_key
    assert key is not None
    big_call = _page("big", properties={"url": PRICING, "blob": "x" * 33_000})
    response = client.post("/v1/batch", json={"batch": [_page("small"), big_call]}, headers=_auth(key))
    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["where"] == "batch[1]"
    calls = [_page(f"m{i}", properties={"url": PRICING, "blob": "y" * 20_000}) for i in range(30)]
    raw = gzip.compress(json.dumps({"batch": calls}).encode())  # small on the wire, over 500 KB inflated
    response = client.post("/v1/batch", content=raw, headers={**_auth(key), "Content-Encoding": "gzip",
                                                              "Content-Type": "application/json"})
    assert response.status_code == 422 and "500 KB" in response.json()["message"]
    bad = client.post("/v1/batch", content=b"not gzip", headers={**_auth(key), "Content-Encoding": "gzip"})
    assert bad.status_code == 422 and "gzip" in bad.json()["message"]
    assert stored(engine) == []


def test_invalid_calls_are_explained_and_nothing_is_stored(client, engine) -> None:  # type: ignore[no-untyped-def]
    key = add_source(engine, "site", "segment").write_key
    assert key is not None
    batch = {"batch": [_page("ok"), {"type": "track", "messageId": "t1", "userId": "u"},
                       {"type": "page", "messageId": "p2"}, {"type": "purchase", "userId": "u"},
                       _page("p3", timestamp="yesterday")]}
    response = client.post("/v1/batch", json=batch, headers=_auth(key))
    assert response.status_code == 422
    where = {p["where"] for p in response.json()["error"]["problems"]}
    assert {"batch[1].event", "batch[2]", "batch[3].type", "batch[4].timestamp"} <= where
    assert stored(engine) == []


def test_a_browser_key_records_claims_but_never_alerts(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    _nurture_contact(engine)
    key = browser_key(engine, add_source(engine, "site", "segment").name)
    identify = {"type": "identify", "messageId": "i1", "userId": "nora@prospect.example", "anonymousId": "anon-1",
                "traits": {"email": "nora@prospect.example"}, "timestamp": datetime.now(UTC).isoformat()}
    page = _page("p1", userId="nora@prospect.example")
    assert client.post("/v1/batch", json={"batch": [identify, page]}, headers=_auth(key)).status_code == 200
    drain(settings)
    rows = stored(engine)
    assert [(r.type, r.email, r.contact_id) for r in rows] == [("page_view", None, None)]
    assert rows[0].payload["unverified_email"] == "nora@prospect.example"
    assert alert_count(engine) == 0


def test_a_browser_key_with_proof_or_a_signed_link_alerts(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    contact_id = _nurture_contact(engine)
    setup = add_source(engine, "site", "segment")
    key = browser_key(engine, setup.name)
    from ember.db import unit_of_work
    from ember.tracking.service import get_source

    with unit_of_work(engine) as session:
        proof = identity_hash(identity_secret(get_source(session, "site").secret), "nora@prospect.example")
    identify = {"type": "identify", "messageId": "i1", "anonymousId": "anon-9",
                "traits": {"email": "nora@prospect.example", "ember_hash": proof},
                "timestamp": datetime.now(UTC).isoformat()}
    page = _page("p1", anonymousId="anon-9")
    assert client.post("/v1/batch", json={"batch": [identify, page]}, headers=_auth(key)).status_code == 200
    drain(settings)
    assert alert_count(engine) == 1
    linked = tracked_url(settings.resolved_secret_key(), "https://acme.example/demo", contact_id)
    demo = _page("p2", anonymousId="anon-other", properties={"url": linked})
    assert client.post("/v1/batch", json={"batch": [demo]}, headers=_auth(key)).status_code == 200
    drain(settings)
    assert alert_count(engine) == 2  # the demo page rule, through the link from our email


def test_a_big_batch_is_stored_at_once_and_its_events_are_written_by_the_worker(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    _nurture_contact(engine)
    key = add_source(engine, "site", "segment").write_key
    assert key is not None
    calls = [_page(f"blog-{i}", anonymousId=f"v{i}", properties={"url": f"https://acme.example/blog/{i}"})
             for i in range(49)]
    calls.append(_page("pricing-1", userId="nora@prospect.example"))
    body = {"batch": calls, "sentAt": datetime.now(UTC).isoformat()}
    assert client.post("/v1/batch", json=body, headers=_auth(key)).status_code == 200
    # Durable before the answer: the calls as they came, in one row the worker takes.
    assert [(r.type, r.status) for r in stored(engine)] == [(BATCH_TYPE, "pending")]
    assert client.post("/v1/batch", json=body, headers=_auth(key)).status_code == 200  # the library's retry
    assert len(stored(engine)) == 1  # stored once while it waits
    drain(settings)
    rows = stored(engine)
    assert len(rows) == 50 and {r.type for r in rows} == {"page_view"}
    assert all(r.status == "handled" for r in rows)
    again = {"batch": calls[-12:], "sentAt": datetime.now(UTC).isoformat()}  # the same calls in another batch
    assert client.post("/v1/batch", json=again, headers=_auth(key)).status_code == 200
    assert client.post("/v1/batch", json=body, headers=_auth(key)).status_code == 200  # a retry after the worker
    drain(settings)
    rows = stored(engine)
    assert len(rows) == 50 and len({r.external_id for r in rows}) == 50
    assert all(r.status == "handled" for r in rows)
    assert alert_count(engine) == 1


def test_a_visitor_once_tied_to_a_contact_keeps_counting_and_strangers_are_settled(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    contact_id = _nurture_contact(engine)
    key = add_source(engine, "site", "segment").write_key
    assert key is not None
    identify = {"type": "identify", "messageId": "id-1", "userId": "user-7", "anonymousId": "anon-1",
                "traits": {"email": "nora@prospect.example"}, "timestamp": datetime.now(UTC).isoformat()}
    assert client.post("/v1/batch", json={"batch": [identify]}, headers=_auth(key)).status_code == 200
    drain(settings)
    assert alert_count(engine) == 0
    # Later, the same browser (no email any more) reads the pricing page, beside a stranger's visit.
    later = [_page("p-stranger", anonymousId="anon-2"), _page("p-nora", anonymousId="anon-1")]
    assert client.post("/v1/batch", json={"batch": later}, headers=_auth(key)).status_code == 200
    drain(settings)
    rows = {r.external_id: r for r in stored(engine)}
    assert rows["p-nora"].contact_id == contact_id
    assert rows["p-stranger"].contact_id is None
    assert all(r.status == "handled" for r in rows.values())
    assert alert_count(engine) == 1


def test_batches_waiting_together_keep_a_message_id_from_the_first(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    key = add_source(engine, "site", "segment").write_key
    assert key is not None
    first = _page("same", anonymousId="anon-1", properties={"url": "https://acme.example/first"})
    second = _page("same", anonymousId="anon-1", properties={"url": "https://acme.example/second"})
    for call in (first, second):  # both stored before the worker reads either
        assert client.post("/v1/batch", json={"batch": [call]}, headers=_auth(key)).status_code == 200
    drain(settings)
    assert [(r.external_id, r.url) for r in stored(engine)] == [("same", "https://acme.example/first")]


def test_numbers_past_64_bits_and_utf16_bodies_are_kept_like_any_other(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    key = add_source(engine, "site", "segment").write_key
    assert key is not None
    big = _page("big", properties={"url": PRICING, "order_id": 2**70})
    assert client.post("/v1/batch", json={"batch": [big]}, headers=_auth(key)).status_code == 200
    wide = json.dumps({"batch": [_page("wide")]}).encode("utf-16")
    answer = client.post("/v1/batch", content=wide, headers={**_auth(key), "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    drain(settings)
    assert sorted(r.external_id for r in stored(engine)) == ["big", "wide"]


def test_a_batch_stored_whole_by_an_earlier_version_is_written_out_by_the_worker(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    _nurture_contact(engine)
    now = datetime.now(UTC)
    events = [{"id": f"old-{i}", "type": "page_view", "at": now.isoformat(), "email": None, "visitor": f"a:v{i}",
               "url": f"https://acme.example/blog/{i}", "payload": {"call": "page"}} for i in range(3)]
    events.append({"id": "old-pricing", "type": "page_view", "at": now.isoformat(),
                   "email": "nora@prospect.example", "visitor": None, "url": PRICING, "payload": {"call": "page"}})
    with unit_of_work(engine) as session:
        row = InboundEvent(source="site", external_id="batch:abc", type=BATCH_TYPE, payload={"events": events},
                           occurred_at=now, received_at=now)
        session.add(row)
        session.flush()
        batch_id = row.id
    get_jobs(settings).enqueue_events([batch_id])
    drain(settings)
    rows = stored(engine)
    assert sorted(r.external_id for r in rows) == ["old-0", "old-1", "old-2", "old-pricing"]  # the row is gone
    assert all(r.status == "handled" for r in rows)
    assert alert_count(engine) == 1


def test_made_up_keys_cost_little_and_a_new_key_works_at_once(client, engine) -> None:  # type: ignore[no-untyped-def]
    add_source(engine, "site", "segment")
    batch = {"batch": [_page()]}
    for attempt in range(5):
        assert client.post("/v1/batch", json=batch, headers=_auth(f"wk_guess-{attempt}")).status_code == 401
    key = browser_key(engine, "site")  # made right after the misses: waits for the next reload, not for long
    assert client.post("/v1/batch", json=batch, headers=_auth(key)).status_code == 200


def test_a_key_revoked_while_in_use_stops_within_seconds(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    import time

    from ember.db import unit_of_work
    from ember.tracking import service
    from ember.tracking.intake import CACHE_TTL_S

    key = add_source(engine, "site", "segment").write_key
    assert key is not None
    assert client.post("/v1/batch", json={"batch": [_page("before")]}, headers=_auth(key)).status_code == 200
    with unit_of_work(engine) as session:
        service.revoke_write_key(session, "site", key[:10])
    time.sleep(CACHE_TTL_S + 0.2)
    refused = client.post("/v1/batch", json={"batch": [_page("after")]}, headers=_auth(key))
    assert refused.status_code == 401 and "revoked" in refused.json()["message"]
    drain(settings)  # accepted while the key was live: its calls are written even after it was revoked
    assert [r.external_id for r in stored(engine)] == ["before"]


def _stored_batch_texts(engine) -> list[str]:  # type: ignore[no-untyped-def]
    """The stored batches' payloads as the database holds them (text), before the worker takes them."""
    with engine.connect() as conn:
        return [str(payload) for payload in conn.execute(text(
            "SELECT CAST(payload AS TEXT) FROM inbound_events WHERE type = :type ORDER BY id"), {"type": BATCH_TYPE}
        ).scalars()]


def test_a_batch_is_stored_as_it_came_never_with_its_key(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    key = add_source(engine, "site", "segment").write_key
    assert key is not None
    plain = json.dumps({"batch": [_page("plain")], "sentAt": datetime.now(UTC).isoformat()})
    keyed = json.dumps({"batch": [_page("keyed")], "writeKey": key})
    accented = json.dumps({"batch": [_page("accented", name="Café tarifs")]}, ensure_ascii=False)
    for body in (plain, keyed, accented):
        response = client.post("/v1/batch", content=body.encode(),
                               headers={**_auth(key), "Content-Type": "application/json"})
        assert response.status_code == 200, response.text
    texts = _stored_batch_texts(engine)
    assert len(texts) == 3
    assert plain in texts[0]  # kept verbatim, not encoded again
    assert key not in texts[1]  # a key in the body is never stored
    assert "Café tarifs" in json.loads(texts[2])["batch"][0]["name"]  # not ASCII: written again, intact
    drain(settings)
    events = {r.external_id: r for r in stored(engine)}
    assert sorted(events) == ["accented", "keyed", "plain"]
    assert {r.type for r in events.values()} == {"page_view"}
    assert events["accented"].payload["title"] == "Café tarifs"
    assert all(r.url == PRICING and r.payload["key"] == "server" for r in events.values())
