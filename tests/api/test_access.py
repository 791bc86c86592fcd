"""Every API route, called by a rep against another rep's records, must neither
leak nor change anything. A new route fails this test until it is listed here."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from tests.factories import make_user

from ember.db import unit_of_work
from ember.events.service import ensure_default_rules
from ember.models import (
    Account,
    Alert,
    Call,
    ComposeTemplate,
    Contact,
    Deal,
    DealStakeholder,
    InboundEvent,
    NextStep,
    NurtureMembership,
    OutboundMessage,
    PlannedTouch,
    ProofPoint,
    Touch,
    TriggerRule,
)

# A body that would succeed if the caller were allowed, per (method, path).
BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/api/contacts/{contact_id}"): {"title": "Hijacked", "status": "nurture"},
    ("PATCH", "/api/deals/{deal_id}"): {"stage": "closed_lost", "outcome": "lost"},
    ("PATCH", "/api/accounts/{account_id}"): {"name": "Hijacked Inc"},
    ("POST", "/api/deals/{deal_id}/stakeholders"): "stakeholder",
    ("POST", "/api/import/{kind}"): "import",
    ("POST", "/api/touches"): "touch",
    ("POST", "/api/calls"): "call",
    ("PUT", "/api/calls/{call_id}/sides"): {"rep": ["Vera"]},
    ("POST", "/api/alerts/{alert_id}/seen"): None,
    ("POST", "/api/nurture"): "nurture",
    ("POST", "/api/compose"): "victim-contact",
    ("POST", "/api/send"): "victim-contact",
    ("PATCH", "/api/steps/{step_id}"): {"due_at": "2031-01-01T10:00:00Z"},
    ("POST", "/api/steps/{step_id}/done"): None,
    ("POST", "/api/steps/{step_id}/cancel"): None,
    ("POST", "/api/steps/{step_id}/reopen"): None,
    ("POST", "/api/dialer/unmatched/{event_id}/attach"): "victim-contact-id",
    ("POST", "/api/dialer/touches/{touch_id}/gatekeeper"): None,
}
# Server-sent event streams: read once (?once=true) instead of waiting on them.
STREAMS = {"/api/alerts/stream"}
# These create the caller's own records: there is no other rep's object to reach.
OWN_CREATES = {("POST", "/api/contacts"), ("POST", "/api/deals"), ("POST", "/api/accounts"), ("PUT", "/api/me/notify"),
               ("POST", "/api/calls/recording/analyze")}  # reads the upload only, stores nothing
MANAGER_ONLY = {("POST", "/api/messages"), ("PUT", "/api/messages/{key}"), ("POST", "/api/messages/{key}/active"),
                ("PUT", "/api/templates/{name}")}
# The story library is team material: a rep reads it, a manager curates it.
STORY_EDITS = {("POST", "/api/stories"), ("PUT", "/api/stories/{story_id}"), ("DELETE", "/api/stories/{story_id}")}
# Trigger rules are team settings too: a rep may read them, not change them.
RULE_EDITS = {("POST", "/api/rules"), ("PATCH", "/api/rules/{rule_id}")}
# Event sources belong to the installation and feed every team: admins alone read and change them.
SOURCE_ADMIN = {("GET", "/api/sources"), ("POST", "/api/sources"), ("GET", "/api/sources/{name}"),
                ("GET", "/api/sources/{name}/mapping"),
                ("POST", "/api/sources/{name}/keys"), ("DELETE", "/api/sources/{name}/keys/{prefix}"),
                ("PUT", "/api/sources/{name}/secret"), ("PATCH", "/api/sources/{name}/mapping")}
# The message library is shared by the team; edits need a manager (checked below).
SAFE_LISTS = {"/api/messages", "/api/contacts", "/api/deals", "/api/accounts", "/api/me", "/api/export/{kind}",
              "/api/users", "/api/today", "/api/nurture", "/api/nurture/export", "/api/alerts",
              "/api/alerts/stream", "/api/rules", "/api/me/notify", "/api/steps",
              # Calls whose number matched nobody: no one owns them until a rep attaches one.
              "/api/dialer/unmatched",
              # Follow-up templates are team wording; /api/outbound without a contact lists the caller's own.
              "/api/templates", "/api/templates/{name}", "/api/outbound", "/api/stories"}


def _victim_records(engine: Engine, owner_id: int) -> dict[str, int]:
    with unit_of_work(engine) as session:
        account = Account(name="Victim Corp", domain="victim.example", owner_id=owner_id)
        session.add(account)
        session.flush()
        contact = Contact(owner_id=owner_id, account_id=account.id, first_name="Vera", last_name="Secret",
                          email="vera.secret@victim.example", title="CFO")
        deal = Deal(owner_id=owner_id, account_id=account.id, name="Victim renewal", qualification={})
        session.add_all([contact, deal])
        session.flush()
        session.add(DealStakeholder(deal_id=deal.id, contact_id=contact.id, role="decision_maker"))
        touch = Touch(contact_id=contact.id, deal_id=deal.id, rep_id=owner_id, channel="call",
                      outcome="conversation", occurred_at=datetime(2026, 1, 5, tzinfo=UTC), label="FTC #1")
        session.add(touch)
        session.flush()
        call = Call(touch_id=touch.id, transcript_text="Vera: our budget is secret", analysis={"secret": "vera"})
        ensure_default_rules(session)  # PostgreSQL test runs empty every table, the seeded rules too
        rule_id = session.scalars(select(TriggerRule.id)).first()
        alert = Alert(dedup_key="victim", contact_id=contact.id, rep_id=owner_id, rule_id=rule_id,
                      summary="visited vera.secret pricing")
        stray = InboundEvent(source="dialer:generic", external_id="stray-1", type="call", status="unmatched",
                             occurred_at=datetime(2026, 1, 5, tzinfo=UTC), payload={
                                 "provider": "generic", "external_id": "stray-1", "number": "+15550100",
                                 "direction": "outbound", "started_at": "2026-01-05T10:00:00+00:00",
                                 "duration_s": 60, "outcome": "conversation", "reason": "answered"})
        session.add_all([call, alert, stray])
        session.flush()
        step = NextStep(contact_id=contact.id, deal_id=deal.id, call_id=call.id, rep_id=owner_id, type="pricing",
                        owner_side="rep", quote="I'll send Vera the secret price.")
        session.add(step)
        session.flush()
        return {"alert_id": alert.id, "event_id": stray.id, "rule_id": rule_id or 0, "step_id": step.id,
                "contact_id": contact.id, "deal_id": deal.id, "account_id": account.id, "touch_id": touch.id,
                "call_id": call.id}


def _snapshot(engine: Engine) -> list[tuple[Any, ...]]:
    with unit_of_work(engine) as session:
        rows: list[tuple[Any, ...]] = []
        for model in (Account, Contact, Deal, DealStakeholder, Touch, PlannedTouch, Call, NextStep, Alert,
                      NurtureMembership, TriggerRule, OutboundMessage, ComposeTemplate, ProofPoint):
            for obj in session.scalars(select(model).order_by(model.id)):
                rows.append(tuple(sorted((k, str(v)) for k, v in vars(obj).items() if not k.startswith("_"))))
        return rows


def test_no_route_leaks_or_changes_another_reps_records(client, engine) -> None:
    intruder = make_user(engine, "intruder@ember.example")
    victim = make_user(engine, "victim@ember.example")
    ids = _victim_records(engine, victim.id)
    own_contact = client.post("/api/contacts", headers=intruder.headers,
                              json={"email": "mine@intruder.example"}).json()["id"]
    client.get("/api/stories", headers=intruder.headers)  # the sample stories appear on first use
    before = _snapshot(engine)

    checked = 0
    for route_path, operations in client.app.openapi()["paths"].items():
        if not route_path.startswith("/api"):
            continue
        for method in (m.upper() for m in operations):
            key = (method, route_path)
            path = route_path.format(kind="contacts", key="gk-ftc-1", name="opener", story_id=1, prefix="wk_",
                                     **ids)
            if key in SOURCE_ADMIN:
                response = client.request(method, path, headers=intruder.headers,
                                          json={"name": "hijack", "secret": "Hijacked", "events": {}})
                assert response.status_code == 403, key
            elif method == "GET":
                response = client.get(path + ("?once=true" if route_path in STREAMS else ""),
                                      headers=intruder.headers)
                assert route_path in SAFE_LISTS or response.status_code == 404, key
            elif key in OWN_CREATES:
                continue
            elif key in MANAGER_ONLY:
                response = client.request(method, path, headers=intruder.headers,
                                          params={"active": "false"},
                                          json={"situation": "gatekeeper", "body": "Hijacked"}
                                          | ({"key": "x-hijack"} if method == "POST" else {}))
                assert response.status_code == 403, key
            elif key in STORY_EDITS:
                response = client.request(method, path, headers=intruder.headers,
                                          json={"title": "Hijacked", "text": "Hijacked"})
                assert response.status_code == 403, key
            elif BODIES.get(key) == "import":
                csv = "email,title\nvera.secret@victim.example,Hijacked\n"
                partial = client.post(path, headers=intruder.headers,
                                      files={"file": ("c.csv", io.BytesIO(csv.encode()), "text/csv")})
                assert (partial.json()["updated"], partial.json()["rejected"]) == (0, 1), partial.text
                response = client.post(path, headers=intruder.headers, params={"all_or_nothing": "true"},
                                       files={"file": ("c.csv", io.BytesIO(csv.encode()), "text/csv")})
                assert response.status_code == 422, response.text
            elif BODIES.get(key) == "touch":
                response = client.post(path, headers=intruder.headers,
                                       json={"contact_id": ids["contact_id"], "channel": "call", "outcome": "said-no"})
                assert response.status_code == 404, key
            elif BODIES.get(key) == "call":
                response = client.post(path, headers=intruder.headers, data={"contact_id": str(ids["contact_id"])},
                                       files={"file": ("c.vtt", b"WEBVTT\n\n00:00.000 --> 00:02.000\nA: hi\n")})
                assert response.status_code == 404, key
            elif key in RULE_EDITS:
                response = client.request(method, path, headers=intruder.headers,
                                          json={"name": "Hijacked", "event_type": "page_view", "active": False})
                assert response.status_code == 403, key
            elif BODIES.get(key) == "victim-contact":  # compose and send for another rep's contact
                response = client.post(path, headers=intruder.headers, json={
                    "contact_id": ids["contact_id"], "kind": "brief", "subject": "Hijacked", "body": "Hijacked"})
                assert response.status_code == 404, key
            elif BODIES.get(key) in ("nurture", "victim-contact-id"):  # or attach a call to their contact
                response = client.post(path, headers=intruder.headers, json={"contact_id": ids["contact_id"]})
                assert response.status_code == 404, key
            elif BODIES.get(key) == "stakeholder":
                response = client.request(method, path, headers=intruder.headers,
                                          json={"contact_id": own_contact, "role": "decision_maker"})
                assert response.status_code == 404, key
            elif method == "DELETE" or key in BODIES:
                response = client.request(method, path, headers=intruder.headers, json=BODIES.get(key))
                assert response.status_code == 404, key
            else:
                raise AssertionError(f"{method} {route_path} is not covered by the access test; add it")
            text = response.text
            assert "vera.secret" not in text and "Victim renewal" not in text and "Hijacked" not in text, key
            checked += 1
    queue = client.get("/api/today?rep=victim@ember.example", headers=intruder.headers)
    assert queue.status_code == 404 and "vera" not in queue.text.lower()
    history = client.get(f"/api/outbound?contact_id={ids['contact_id']}", headers=intruder.headers)
    assert history.status_code == 404 and "vera" not in history.text.lower()
    assert checked >= 18
    assert _snapshot(engine) == before


def test_manager_sees_team_but_not_other_teams(client, engine) -> None:
    manager = make_user(engine, "boss@ember.example", role="manager", team="East")
    teammate = make_user(engine, "east.rep@ember.example", team="East")
    outsider = make_user(engine, "west.rep@ember.example", team="West")
    for user, email in ((teammate, "a@east.example"), (outsider, "b@west.example")):
        assert client.post("/api/contacts", headers=user.headers, json={"email": email}).status_code == 201
    seen = {c["email"] for c in client.get("/api/contacts", headers=manager.headers).json()}
    assert seen == {"a@east.example"}
    users = {u["email"] for u in client.get("/api/users", headers=manager.headers).json()}
    assert "west.rep@ember.example" not in users and "east.rep@ember.example" in users


def test_admin_sees_everything(client, engine) -> None:
    admin = make_user(engine, "root@ember.example", role="admin", team=None)
    for index, team in enumerate(("East", "West")):
        rep = make_user(engine, f"rep{index}@ember.example", team=team)
        client.post("/api/contacts", headers=rep.headers, json={"email": f"c{index}@x.example"})
    assert len(client.get("/api/contacts", headers=admin.headers).json()) == 2


def test_rep_cannot_assign_a_contact_to_another_rep(client, engine) -> None:
    rep = make_user(engine, "one@ember.example")
    make_user(engine, "two@ember.example")
    response = client.post("/api/contacts", headers=rep.headers,
                           json={"email": "x@y.example", "owner_email": "two@ember.example"})
    nobody = client.post("/api/contacts", headers=rep.headers,
                         json={"email": "x@y.example", "owner_email": "nobody@ember.example"})
    # Another rep is answered exactly as an address that is no user: nothing tells who exists.
    assert response.status_code == nobody.status_code == 422
    assert response.json()["error"]["message"].replace("two@", "nobody@") == nobody.json()["error"]["message"]
    assert client.get("/api/contacts", headers=rep.headers).json() == []
