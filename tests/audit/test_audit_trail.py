"""The audit trail: admins see who changed users, rules, stories and deletions, and when;
secrets are recorded as changed, never shown; a refused change leaves no entry."""

from __future__ import annotations

import json

from ember.db import unit_of_work
from ember.models import AuditEntry
from tests.factories import make_user
from tests.trigger_support import make_contact
from tests.web.page_support import log_in


def _entries(engine) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return list(session.query(AuditEntry).order_by(AuditEntry.id))


def test_a_managers_change_is_credited_to_her_with_before_and_after(client, engine) -> None:
    maya = make_user(engine, "maya@ember.example", role="manager")
    story = client.post("/api/stories", headers=maya.headers,
                        json={"title": "Harbor cut no-shows", "text": "Down 30% in a quarter."})
    assert story.status_code == 201, story.text
    story_id = story.json()["id"]
    changed = client.put(f"/api/stories/{story_id}", headers=maya.headers,
                         json={"title": "Harbor cut no-shows by a third", "text": "Down 30% in a quarter."})
    assert changed.status_code == 200, changed.text
    mine = [e for e in _entries(engine) if e.target_type == "customer story"]
    assert [e.action for e in mine] == ["created", "changed"]
    assert all(e.actor_label == "maya@ember.example" and e.actor_id == maya.id for e in mine)
    assert mine[1].changes == {"title": ["Harbor cut no-shows", "Harbor cut no-shows by a third"]}


def test_deleting_a_contact_is_recorded_with_who_and_which(client, engine) -> None:
    sam = make_user(engine, "sam@ember.example")
    contact_id = make_contact(engine, sam.id, "nora@prospect.example")
    assert client.delete(f"/api/contacts/{contact_id}", headers=sam.headers).status_code == 204
    [entry] = [e for e in _entries(engine) if e.action == "deleted"]
    assert (entry.target_type, entry.target_id, entry.target_label) == ("contact", str(contact_id),
                                                                        "nora@prospect.example")
    assert entry.actor_label == "sam@ember.example"


def test_a_refused_change_leaves_no_entry(client, engine) -> None:
    maya = make_user(engine, "maya@ember.example", role="manager")
    before = len(_entries(engine))
    refused = client.post("/api/stories", headers=maya.headers, json={"title": "", "text": "x" * 6000})
    assert refused.status_code == 422
    assert len(_entries(engine)) == before


def test_the_cli_trail_names_the_user_and_hides_the_password(ember) -> None:
    ember("users", "add", "ana@acme.example", "--name", "Ana", "--role", "admin")
    ember("users", "add", "ben@acme.example", "--name", "Ben", "--role", "rep")
    assert ember("users", "password", "ben@acme.example", input="a long new password\na long new password\n"
                 ).exit_code == 0
    listed = ember("audit", "--json", "--as", "ana@acme.example")
    assert listed.exit_code == 0, listed.stderr
    trail = json.loads(listed.stdout)
    ben = [row for row in trail if row["label"] == "ben@acme.example"]
    assert [row["action"] for row in ben] == ["changed", "created"]  # newest first
    assert ben[1]["changes"]["role"] == [None, "rep"]
    assert ben[0]["changes"] == {"password_hash": [None, "(hidden)"]}
    assert "argon2" not in listed.stdout
    only_users = json.loads(ember("audit", "--json", "--kind", "user", "--as", "ana@acme.example").stdout)
    assert {row["kind"] for row in only_users} == {"user"}


def test_only_admins_read_the_trail(ember, client, engine) -> None:
    ember("users", "add", "ana@acme.example", "--name", "Ana", "--role", "admin")
    ember("users", "add", "ben@acme.example", "--name", "Ben", "--role", "manager")
    refused = ember("audit", "--as", "ben@acme.example")
    assert refused.exit_code == 1 and "only admins" in refused.stderr
    bad = ember("audit", "--kind", "spaceship", "--as", "ana@acme.example")
    assert bad.exit_code == 1 and "user" in bad.stderr


def test_the_audit_page_shows_admins_the_trail_and_hides_from_others(client, engine) -> None:
    make_user(engine, "ana@ember.example", role="admin", password="correct horse")
    make_user(engine, "sam@ember.example", password="correct horse")
    maya = make_user(engine, "maya@ember.example", role="manager")
    client.post("/api/stories", headers=maya.headers, json={"title": "Harbor cut no-shows", "text": "Down 30%."})

    log_in(client, "sam@ember.example")
    assert client.get("/admin/audit").status_code == 404
    client.cookies.clear()

    log_in(client, "ana@ember.example")
    page = client.get("/admin/audit?kind=customer+story")
    assert page.status_code == 200
    assert "maya@ember.example" in page.text and "Harbor cut no-shows" in page.text
    assert "sam@ember.example" not in page.text  # the user entries are filtered out
    wrong = client.get("/admin/audit?since=last+tuesday")
    assert (wrong.status_code == 422 and "YYYY-MM-DD" in wrong.text) or "ISO 8601" in wrong.text
