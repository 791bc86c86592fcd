"""The tracking snippet's endpoint: site keys, signed contact links, Do-Not-Track."""

from __future__ import annotations

import json

from sqlalchemy import select

from ember.db import unit_of_work
from ember.events.rules import contact_from_token, contact_token, site_key, tracked_url
from ember.models import InboundEvent
from tests.factories import make_user
from tests.trigger_support import drain, make_contact, make_source


def _beacon(client, key: str, **fields):  # type: ignore[no-untyped-def]
    body = {"k": key, "t": "page", "i": "view-1", "a": "visitor-1", "u": "https://acme.example/pricing", **fields}
    return client.post("/t/collect", content=json.dumps(body), headers={"content-type": "text/plain"})


def test_snippet_is_served_and_honours_do_not_track(client) -> None:
    script = client.get("/t.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("application/javascript")
    assert "doNotTrack" in script.text and "ember_cid" in script.text


def test_page_view_with_a_signed_link_alerts_the_owner(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact_id = make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    key = site_key(make_source(engine))
    token = contact_token(settings.resolved_secret_key(), contact_id)
    assert _beacon(client, key, c=token).status_code == 204
    drain(settings)
    (alert,) = client.get("/api/alerts", headers=rep.headers).json()
    assert alert["contact"] == "Nora Quinn" and alert["url"] == "https://acme.example/pricing"


def test_do_not_track_forged_links_and_unknown_keys(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact_id = make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    key = site_key(make_source(engine))
    body = json.dumps({"k": key, "t": "page", "i": "dnt", "u": "/pricing"})
    assert client.post("/t/collect", content=body, headers={"DNT": "1"}).status_code == 204
    assert _beacon(client, "site_unknown").status_code == 404
    forged = contact_token("another-secret", contact_id)
    assert _beacon(client, key, c=forged, i="forged").status_code == 204
    drain(settings)
    with unit_of_work(engine) as session:
        rows = list(session.scalars(select(InboundEvent)))
    assert [(r.external_id, r.contact_id) for r in rows] == [("forged", None)]  # kept, tied to nobody
    assert client.get("/api/alerts", headers=rep.headers).json() == []


def test_tracked_links_round_trip() -> None:
    url = tracked_url("k" * 32, "https://acme.example/pricing?plan=team", 42)
    token = url.split("ember_cid=")[1]
    assert url.startswith("https://acme.example/pricing?plan=team&ember_cid=")
    assert contact_from_token("k" * 32, token) == 42 and contact_from_token("other", token) is None
