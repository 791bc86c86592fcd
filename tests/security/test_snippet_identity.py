"""Only a proven identity from the website snippet can raise an alert: anyone can post
the public site key with a contact's email, only the team's server can prove it."""

from __future__ import annotations

import json

from sqlalchemy import select

from ember.db import unit_of_work
from ember.events.rules import identity_hash, identity_secret, site_key
from ember.models import InboundEvent
from tests.factories import make_user
from tests.trigger_support import drain, make_contact, make_source

PRICING = "https://acme.example/pricing"


def _collect(client, key: str, **fields):  # type: ignore[no-untyped-def]
    body = {"k": key, "t": "page", "i": "view-1", "a": "visitor-1", "u": PRICING, **fields}
    return client.post("/t/collect", content=json.dumps(body), headers={"content-type": "text/plain"})


def _events(engine) -> list[InboundEvent]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        rows = list(session.scalars(select(InboundEvent).order_by(InboundEvent.id)))
        session.expunge_all()
        return rows


def test_an_anonymous_post_with_a_contacts_email_raises_no_alert(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    key = site_key(make_source(engine))  # public: it is in every page of the website
    assert _collect(client, key, e="nora@prospect.example").status_code == 204
    assert _collect(client, key, t="identify", i="id-1", e="Nora@Prospect.example", h="0" * 64).status_code == 204
    assert _collect(client, key, i="view-2").status_code == 204  # the same visitor, later
    drain(settings)
    assert client.get("/api/alerts", headers=rep.headers).json() == []
    rows = _events(engine)
    assert [(r.email, r.contact_id, r.payload.get("unverified_email")) for r in rows] == [
        (None, None, "nora@prospect.example"), (None, None, "nora@prospect.example"), (None, None, None)]


def test_an_email_proven_by_the_teams_server_alerts_the_owner(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    secret = make_source(engine)
    proof = identity_hash(identity_secret(secret), "Nora@Prospect.example")  # case does not matter
    assert _collect(client, site_key(secret), e="nora@prospect.example", h=proof).status_code == 204
    drain(settings)
    (alert,) = client.get("/api/alerts", headers=rep.headers).json()
    assert alert["contact"] == "Nora Quinn" and alert["rule"] == "Pricing page visit"


def test_a_proof_for_another_email_or_source_does_not_count(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    secret, other = make_source(engine), make_source(engine, "webinars")
    mine = identity_secret(secret)
    assert _collect(client, site_key(secret), e="nora@prospect.example",
                    h=identity_hash(mine, "me@attacker.example")).status_code == 204
    assert _collect(client, site_key(secret), i="view-2", e="nora@prospect.example",
                    h=identity_hash(identity_secret(other), "nora@prospect.example")).status_code == 204
    drain(settings)
    assert client.get("/api/alerts", headers=rep.headers).json() == []
    assert identity_secret(secret) != identity_secret(other) and identity_secret(secret) not in secret


def test_the_snippet_sends_the_proof_and_the_cli_shows_the_identity_secret(client, ember) -> None:  # type: ignore[no-untyped-def]
    script = client.get("/t.js").text
    assert "options.hash" in script and "data.h" in script
    added = json.loads(ember("sources", "add", "website", "--json").stdout)
    assert added["identity_secret"] == identity_secret(added["secret"])
