"""Compose through the CLI and the API, from a recorded and analysed call or from notes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import time_machine
from sqlalchemy import select

from ember.compose.defaults import DEFAULT_PROOF_POINTS
from ember.db import unit_of_work
from ember.models import ProofPoint, Touch
from tests.compose_support import add_contact, record_demo_call
from tests.factories import make_user


@time_machine.travel("2026-03-05T12:00:00+00:00", tick=False)
def test_cli_compose_prints_text_facts_and_placeholders(ember, engine, settings) -> None:
    assert ember("users", "add", "dana@acme.example", "--name", "Dana Whitfield").exit_code == 0
    contact_id = add_contact(engine, 1)
    record_demo_call(engine, settings, "dana@acme.example", contact_id)
    base = ("--as", "dana@acme.example", "--contact", "marco@harbor.example", "--json")

    note = json.loads(ember("compose", "note", *base).stdout)
    assert set(note) == {"subject", "text", "facts", "placeholders"}
    assert "Thank you" in note["text"] and note["placeholders"] == []
    assert all(set(f) == {"quote", "start_s"} and isinstance(f["start_s"], float) for f in note["facts"])

    opener = json.loads(ember("compose", "opener", *base).stdout)
    assert "subject" not in opener and "you keep losing track of leads" in opener["text"]

    brief = json.loads(ember("compose", "brief", *base).stdout)
    assert "technical lead" in brief["text"] and "executive" in brief["text"]

    nudge = json.loads(ember("compose", "email", *base, "--situation", "nudge").stdout)
    assert "still a priority" in nudge["subject"]
    trigger = json.loads(ember("compose", "email", *base, "--situation", "trigger").stdout)
    assert "[[what they just did]]" in trigger["placeholders"]

    text = ember("compose", "email", "--as", "dana@acme.example", "--contact", "marco@harbor.example")
    assert text.exit_code == 0 and "Subject: Marco, what success could look like for Harbor Foods" in text.stdout

    wrong = ember("compose", "letter", *base)
    assert wrong.exit_code == 1 and "'letter' is not one of note, opener, brief, email" in wrong.stderr


def test_compose_uses_the_reps_notes_when_there_is_no_transcript(client, engine) -> None:
    rep = make_user(engine, "dana@acme.example")
    contact_id = add_contact(engine, rep.id, with_deal=False)
    with unit_of_work(engine) as session:
        session.add(Touch(contact_id=contact_id, rep_id=rep.id, channel="call", outcome="conversation",
                          occurred_at=datetime(2026, 3, 2, 15, tzinfo=UTC), label="FTC #1",
                          notes="Spoke with Marco. Their biggest problem is manual reporting every Friday. "
                                "I will send the pricing sheet by Friday."))
    response = client.post("/api/compose", headers=rep.headers, json={"kind": "opener", "contact_id": contact_id})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "manual reporting every Friday" in body["text"]
    assert body["facts"] and all(f["start_s"] is None for f in body["facts"])
    assert "[[their main problem, in their words]]" not in body["placeholders"]


def test_compose_draws_on_the_sample_stories_without_adding_to_them(client, engine) -> None:
    rep = make_user(engine, "dana@acme.example")
    contact_id = add_contact(engine, rep.id)
    for _ in range(2):
        response = client.post("/api/compose", headers=rep.headers, json={"kind": "brief", "contact_id": contact_id})
        assert response.status_code == 200
    assert "[[their main problem, in their words]]" in response.json()["placeholders"]  # no call yet: nothing made up
    with unit_of_work(engine) as session:
        assert len(list(session.scalars(select(ProofPoint)))) == len(DEFAULT_PROOF_POINTS)


def test_voicemail_comes_with_its_email(client, engine) -> None:
    rep = make_user(engine, "dana@acme.example")
    contact_id = add_contact(engine, rep.id)
    body = client.post("/api/compose", headers=rep.headers,
                       json={"kind": "voicemail", "contact_id": contact_id}).json()
    assert "email" in body["text"] and "voicemail" in body["email"]["text"]


def test_templates_are_edited_by_managers_and_checked_when_saved(client, engine) -> None:
    rep = make_user(engine, "dana@acme.example")
    manager = make_user(engine, "boss@acme.example", role="manager")
    contact_id = add_contact(engine, rep.id)
    good = "Hi {{ first_name }}, since we spoke: {{ plan }}. One new idea: {{ idea }}. Is now a good time?"
    assert client.put("/api/templates/opener", headers=rep.headers, json={"body": good}).status_code == 403

    bad = client.put("/api/templates/opener", headers=manager.headers, json={"body": "Hi {{ frist_name }}"})
    assert bad.status_code == 422
    problem = bad.json()["error"]["problems"][0]
    assert "frist_name" in problem["what"] and "first_name" in problem["fix"]
    broken = client.put("/api/templates/opener", headers=manager.headers, json={"body": "Hi {% if x %}"})
    assert broken.status_code == 422 and "line 1" in broken.json()["error"]["problems"][0]["where"]
    assert client.get("/api/templates/opener", headers=rep.headers).json()["edited"] is False

    saved = client.put("/api/templates/opener", headers=manager.headers, json={"body": good})
    assert saved.status_code == 200 and saved.json()["edited"] is True
    opener = client.post("/api/compose", headers=rep.headers, json={"kind": "opener", "contact_id": contact_id})
    assert opener.json()["text"].startswith("Hi Marco, since we spoke:")
    listed = {t["name"]: t["edited"] for t in client.get("/api/templates", headers=rep.headers).json()}
    assert listed["opener"] is True and listed["note"] is False


def test_cli_templates_edit_refuses_unknown_variables_and_changes_nothing(ember, engine, tmp_path) -> None:
    ember("users", "add", "boss@acme.example", "--name", "Boss", "--role", "manager")
    bad = tmp_path / "opener.j2"
    bad.write_text("Hi {{ first_name }}, about {{ their_problem }}?")
    result = ember("templates", "edit", "opener", "--file", str(bad), "--as", "boss@acme.example")
    assert result.exit_code == 1
    assert "template opener was not saved" in result.stderr and "their_problem" in result.stderr
    listed = json.loads(ember("templates", "list", "--json").stdout)
    assert all(not row["edited"] for row in listed)
    good = tmp_path / "good.j2"
    good.write_text("Hi {{ first_name }}, about {{ problem }}: {{ idea }}. Shall we talk it through now?\n")
    assert ember("templates", "edit", "opener", "--file", str(good), "--as", "boss@acme.example").exit_code == 0
    assert ember("templates", "show", "opener").stdout == good.read_text()
    assert ember("templates", "reset", "opener", "--as", "boss@acme.example").exit_code == 0
    assert "When we spoke" in ember("templates", "show", "opener").stdout
