"""A recorded call updates what Ember knows: next steps, decision role, qualification."""

from __future__ import annotations

import json
from pathlib import Path

import time_machine
from tests.factories import make_user

from ember.db import unit_of_work
from ember.models import Contact, Deal, DealStakeholder

CALL = Path(__file__).parent / "discovery_call.vtt"


def _setup(engine, rep_id: int, *, manual_role: str | None = None) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        contact = Contact(owner_id=rep_id, first_name="Marco", last_name="Ruiz", email="marco@harbor.example",
                          timezone="America/Chicago", country="US", phone="+1 555 0100")
        if manual_role:
            contact.decision_role, contact.decision_role_source = manual_role, "manual"
        deal = Deal(owner_id=rep_id, name="Harbor pilot", stage="discovery", qualification={
            "budget": {"covered": False, "evidence": [], "source": "manual"}})
        session.add_all([contact, deal])
        session.flush()
        session.add(DealStakeholder(deal_id=deal.id, contact_id=contact.id))
        return contact.id, deal.id


@time_machine.travel("2026-03-05T12:00:00+00:00", tick=False)
def test_attached_transcript_feeds_next_steps_into_today_and_updates_the_deal(client, engine) -> None:
    rep = make_user(engine, "dana@acme.example")
    contact_id, deal_id = _setup(engine, rep.id)
    response = client.post("/api/calls", headers=rep.headers,
                           data={"contact_id": str(contact_id), "at": "2026-03-04T15:00:00-06:00"},
                           files={"file": ("discovery_call.vtt", CALL.read_bytes(), "text/vtt")})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["next_steps"] >= 3 and body["analysis"]["schema_version"]
    stored = client.get(f"/api/calls/{body['call_id']}", headers=rep.headers).json()
    assert stored["analysis"]["next_steps"] == body["analysis"]["next_steps"]

    queue = client.get("/api/today", headers=rep.headers).json()
    steps = [item for item in queue if item["kind"] == "next_step"]
    assert any("tomorrow morning" in item["reason"] and item["deal"] == "Harbor pilot" for item in steps)
    assert not any("by friday" in item["reason"] for item in steps)  # due after today
    assert any(item["local_time"] == "no date agreed" for item in steps)
    deal = client.get(f"/api/deals/{deal_id}", headers=rep.headers).json()
    assert deal["qualification"]["problem"]["covered"] is True
    assert deal["qualification"]["problem"]["evidence"][0]["quote"]
    assert deal["qualification"]["budget"]["source"] == "manual"  # the rep's own setting wins
    contact = client.get(f"/api/contacts/{contact_id}", headers=rep.headers).json()
    assert contact["decision_role"] != "unknown" and contact["decision_role_evidence"]


def test_a_reps_manual_role_is_not_overwritten(client, engine) -> None:
    rep = make_user(engine, "dana@acme.example")
    contact_id, _ = _setup(engine, rep.id, manual_role="champion")
    client.post("/api/calls", headers=rep.headers, data={"contact_id": str(contact_id)},
                files={"file": ("call.vtt", CALL.read_bytes(), "text/vtt")})
    assert client.get(f"/api/contacts/{contact_id}", headers=rep.headers).json()["decision_role"] == "champion"


def test_a_broken_transcript_is_refused_and_nothing_is_recorded(client, engine) -> None:
    rep = make_user(engine, "dana@acme.example")
    contact_id, _ = _setup(engine, rep.id)
    response = client.post("/api/calls", headers=rep.headers, data={"contact_id": str(contact_id)},
                           files={"file": ("call.vtt", b"WEBVTT\n\n1\nnot a timing line\nhello\n", "text/vtt")})
    assert response.status_code == 422
    assert "expected" in response.json()["error"]["problems"][0]["what"]
    assert client.get(f"/api/contacts/{contact_id}/touches", headers=rep.headers).json() == []


def test_cli_call_add_prints_the_analysis(ember, engine) -> None:
    ember("users", "add", "dana@acme.example", "--name", "Dana Whitfield")
    with unit_of_work(engine) as session:
        session.add(Contact(owner_id=1, first_name="Marco", last_name="Ruiz", email="marco@harbor.example",
                            timezone="America/Chicago"))
    result = ember("call", "add", "--as", "dana@acme.example", "--contact", "marco@harbor.example",
                   "--transcript", str(CALL), "--at", "2026-03-04T15:00:00-06:00", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["touch"]["label"] == "FTC #1"
    assert {step["type"] for step in data["analysis"]["next_steps"]} >= {"demo", "documents"}
    text = ember("call", "add", "--as", "dana@acme.example", "--contact", "marco@harbor.example",
                 "--transcript", str(CALL))
    assert "Next steps" in text.stdout and "follow-up #1" in text.stdout


def test_thresholds_setting_changes_the_verdicts(ember, monkeypatch) -> None:
    fixture = str(CALL)
    default = json.loads(ember("analyze", fixture, "--json").stdout)
    ratio = next(b for b in default["benchmarks"] if b["metric"] == "rep_talk_ratio")
    assert ratio["verdict"] == "good"
    monkeypatch.setenv("EMBER_ANALYSIS_THRESHOLDS", "talk_ratio_target=0.2, talk_ratio_warn=0.25, talk_ratio_bad=0.3")
    strict = json.loads(ember("analyze", fixture, "--json").stdout)
    assert next(b for b in strict["benchmarks"] if b["metric"] == "rep_talk_ratio")["verdict"] == "bad"
    monkeypatch.setenv("EMBER_ANALYSIS_THRESHOLDS", "talk_ratio_max=0.3")
    refused = ember("analyze", fixture, "--json")
    assert refused.exit_code == 2 and "talk_ratio_max" in refused.stderr and "talk_ratio_bad" in refused.stderr


def test_the_prospects_promises_become_checks_in_today(client, engine) -> None:
    rep = make_user(engine, "dana@acme.example")
    contact_id, _ = _setup(engine, rep.id)
    with time_machine.travel("2026-03-05T12:00:00+00:00", tick=False):
        client.post("/api/calls", headers=rep.headers,
                    data={"contact_id": str(contact_id), "at": "2026-03-04T15:00:00-06:00"},
                    files={"file": ("discovery_call.vtt", CALL.read_bytes(), "text/vtt")})
        steps = [i for i in client.get("/api/today", headers=rep.headers).json() if i["kind"] == "next_step"]
    intro = next(i for i in steps if "introduce you" in i["reason"])
    assert "they promised" in intro["reason"] and intro["purpose"] == "Ask for the introduction they offered"
