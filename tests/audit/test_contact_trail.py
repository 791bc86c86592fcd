"""Contacts in the audit trail: who added one, who changed which fields (before and after) and who
marked one do-not-contact, whether from the pages, the API or the command line; shown on
/admin/audit and by `ember audit`."""

from __future__ import annotations

import json

from ember.db import unit_of_work
from ember.models import AuditEntry, User
from tests.factories import make_user
from tests.trigger_support import make_contact
from tests.web.page_support import BROWSER, log_in


def _contact_entries(engine) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return list(session.query(AuditEntry).filter(AuditEntry.target_type == "contact").order_by(AuditEntry.id))


def test_adding_and_changing_a_contact_by_the_api_is_recorded_with_before_and_after(client, engine) -> None:
    sam = make_user(engine, "sam@ember.example")
    added = client.post("/api/contacts", headers=sam.headers,
                        json={"email": "vera@prospect.example", "first_name": "Vera", "title": "CFO"})
    assert added.status_code == 201, added.text
    contact_id = added.json()["id"]
    changed = client.patch(f"/api/contacts/{contact_id}", headers=sam.headers, json={"title": "CEO"})
    assert changed.status_code == 200, changed.text

    created, edited = _contact_entries(engine)
    assert (created.action, created.target_id, created.target_label) == ("created", str(contact_id),
                                                                         "vera@prospect.example")
    assert created.changes["first_name"] == [None, "Vera"] and created.changes["title"] == [None, "CFO"]
    assert not {"phone", "account_id", "linkedin_url", "timezone"} & set(created.changes)  # never given
    assert edited.action == "changed" and edited.changes == {"title": ["CFO", "CEO"]}
    assert {e.actor_label for e in (created, edited)} == {"sam@ember.example"}
    assert {e.actor_id for e in (created, edited)} == {sam.id}


def test_a_refused_contact_change_leaves_no_entry(client, engine) -> None:
    sam = make_user(engine, "sam@ember.example")
    contact_id = make_contact(engine, sam.id, "nora@prospect.example")
    before = [e.id for e in _contact_entries(engine)]
    refused = client.patch(f"/api/contacts/{contact_id}", headers=sam.headers, json={"email": "not an address"})
    assert refused.status_code == 422
    assert [e.id for e in _contact_entries(engine)] == before


def test_the_pages_record_adding_editing_and_do_not_contact_and_the_admin_reads_it(client, engine) -> None:
    make_user(engine, "sam@ember.example", password="correct horse")
    make_user(engine, "ana@ember.example", role="admin", password="correct horse")
    csrf = log_in(client, "sam@ember.example")
    added = client.post("/contacts/new", headers=BROWSER, follow_redirects=False, data={
        "csrf": csrf, "first_name": "Otto", "last_name": "Brandt", "email": "otto@prospect.example"})
    assert added.status_code == 303, added.text
    contact_id = int(added.headers["location"].rsplit("/", 1)[1])
    saved = client.post(f"/contacts/{contact_id}/edit", headers=BROWSER, follow_redirects=False, data={
        "csrf": csrf, "first_name": "Otto", "last_name": "Brandt", "email": "otto@prospect.example",
        "title": "Head of Operations", "do_not_contact": "on"})
    assert saved.status_code == 303, saved.text

    created, edited = _contact_entries(engine)
    assert created.action == "created" and created.changes["last_name"] == [None, "Brandt"]
    assert all(after not in (None, 4) for _before, after in created.changes.values()), created.changes
    assert edited.action == "changed"
    assert edited.changes["status"] == ["active", "do-not-contact"]
    assert edited.changes["title"] == [None, "Head of Operations"]
    assert {e.actor_label for e in (created, edited)} == {"sam@ember.example"}

    client.cookies.clear()
    log_in(client, "ana@ember.example")
    page = client.get("/admin/audit?kind=contact", headers=BROWSER)
    assert page.status_code == 200
    assert page.text.count("otto@prospect.example") == 2 and "sam@ember.example" in page.text
    assert "do-not-contact" in page.text and "Head of Operations" in page.text
    assert '<option value="contact" selected>' in page.text


def test_the_command_line_records_its_user_and_ember_audit_lists_contacts(ember, engine) -> None:
    ember("users", "add", "ana@acme.example", "--name", "Ana", "--role", "admin")
    ember("users", "add", "ben@acme.example", "--name", "Ben", "--role", "rep")
    with unit_of_work(engine) as session:
        ben_id = session.query(User).filter(User.email == "ben@acme.example").one().id
    contact_id = make_contact(engine, ben_id, "nora@prospect.example")
    moved = ember("nurture", "add", str(contact_id), "--as", "ben@acme.example")
    assert moved.exit_code == 0, moved.stderr

    listed = ember("audit", "--json", "--kind", "contact", "--as", "ana@acme.example")
    assert listed.exit_code == 0, listed.stderr
    trail = json.loads(listed.stdout)
    assert {row["kind"] for row in trail} == {"contact"}
    [moved_entry] = [row for row in trail if row["action"] == "changed"]
    assert moved_entry["actor"] == "ben@acme.example" and moved_entry["label"] == "nora@prospect.example"
    assert moved_entry["changes"]["status"] == ["active", "nurture"]
