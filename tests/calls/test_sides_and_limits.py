"""Calls whose speakers are not labelled: graded 'unknown' until someone names the sides, through the
API or the CLI, and the analysis is redone. Transcript size is refused before the file is read."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from tests.factories import make_user

from ember.db import unit_of_work
from ember.models import Contact, NextStep

FIXTURES = Path(__file__).parents[1] / "conversation" / "fixtures"
WORDS = FIXTURES / "deepgram_diarised_words.json"


def _contact(engine, rep_id: int) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        contact = Contact(owner_id=rep_id, first_name="Marco", last_name="Ruiz", email="marco@harbor.example",
                          timezone="Europe/Berlin", country="DE")
        session.add(contact)
        session.flush()
        return contact.id


def _verdicts(analysis: dict) -> dict[str, str]:
    return {b["metric"]: b["verdict"] for b in analysis["benchmarks"]}


def test_unlabelled_call_is_corrected_through_the_api(client, engine) -> None:
    rep = make_user(engine, "dana@acme.example")
    contact_id = _contact(engine, rep.id)
    added = client.post("/api/calls", headers=rep.headers, data={"contact_id": str(contact_id)},
                        files={"file": ("call.json", WORDS.read_bytes(), "application/json")})
    assert added.status_code == 201, added.text
    analysis = added.json()["analysis"]
    assert analysis["side_method"] == "unlabelled" and _verdicts(analysis)["rep_talk_ratio"] == "unknown"
    call_id = added.json()["call_id"]

    wrong = client.put(f"/api/calls/{call_id}/sides", headers=rep.headers, json={"rep": ["Speaker 7"]})
    assert wrong.status_code == 422 and "Speaker 0, Speaker 1" in wrong.text
    fixed = client.put(f"/api/calls/{call_id}/sides", headers=rep.headers, json={"rep": ["Speaker 1"]})
    assert fixed.status_code == 200, fixed.text
    body = fixed.json()
    assert body["side_method"] == "named" and body["sides_known"]
    assert {s["name"]: s["side"] for s in body["speakers"]} == {"Speaker 0": "prospect", "Speaker 1": "rep"}
    assert {b["metric"]: b["verdict"] for b in body["benchmarks"]}["rep_talk_ratio"] != "unknown"
    stored = client.get(f"/api/calls/{call_id}", headers=rep.headers).json()["analysis"]
    assert stored["side_method"] == "named"
    with unit_of_work(engine) as session:
        steps = list(session.scalars(select(NextStep).where(NextStep.call_id == call_id)))
    assert len(steps) == body["next_steps"]  # replaced, not added a second time
    other = make_user(engine, "lee@acme.example", team="West")
    assert client.put(f"/api/calls/{call_id}/sides", headers=other.headers,
                      json={"rep": ["Speaker 1"]}).status_code == 404


def test_upload_over_the_size_limit_is_refused(client, engine, settings) -> None:
    rep = make_user(engine, "dana@acme.example")
    contact_id = _contact(engine, rep.id)
    settings.analysis.max_transcript_bytes = 1000
    response = client.post("/api/calls", headers=rep.headers, data={"contact_id": str(contact_id)},
                           files={"file": ("call.json", WORDS.read_bytes(), "application/json")})
    assert response.status_code == 422
    assert "larger than" in response.json()["error"]["message"]


def test_cli_names_sides_when_adding_and_corrects_them_later(ember, tmp_path, monkeypatch) -> None:
    ember("users", "add", "dana@acme.example", "--name", "Dana Whitfield")
    contact = tmp_path / "c.csv"
    contact.write_text("email,first_name\nmarco@harbor.example,Marco\n")
    ember("import", "contacts", str(contact), "--as", "dana@acme.example")
    added = ember("call", "add", "--as", "dana@acme.example", "--contact", "marco@harbor.example",
                  "--transcript", str(WORDS), "--rep", "Speaker 0", "--json")
    assert added.exit_code == 0, added.output
    data = json.loads(added.stdout)
    assert data["analysis"]["side_method"] == "named"
    corrected = ember("call", "sides", str(data["call_id"]), "--prospect", "Speaker 0", "--as", "dana@acme.example",
                      "--json")
    assert corrected.exit_code == 0, corrected.output
    sides = {s["name"]: s["side"] for s in json.loads(corrected.stdout)["analysis"]["speakers"]}
    assert sides == {"Speaker 0": "prospect", "Speaker 1": "rep"}
    monkeypatch.setenv("EMBER_MAX_TRANSCRIPT_BYTES", "1000")
    big = ember("call", "add", "--as", "dana@acme.example", "--contact", "marco@harbor.example",
                "--transcript", str(WORDS))
    assert big.exit_code == 1 and "larger than" in big.stderr and "Traceback" not in big.output
