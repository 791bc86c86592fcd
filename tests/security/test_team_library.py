"""Each team keeps its own message library, templates and stories on top of shared defaults.

Two teams, East and West, each with a manager and a rep. East's manager changes a template, a story
and a message variant: East writes, previews and plans with its copy; West goes on with the shared
default, and West's manager cannot read or change East's copies (answered as a missing record).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ember.compose.defaults import default_source
from ember.db import unit_of_work
from ember.messages.service import ensure_defaults
from ember.models import Contact, MessageVariant, PlannedTouch, ProofPoint, Touch
from tests.desk_support import PASSWORD, Desk
from tests.factories import TestUser, make_user

EAST_OPENER = "East's own opener for {{ first_name }}: how is the rollout going?\n"
SHARED_OPENER = "Everyone's opener for {{ first_name }}.\n"
EAST_GATEKEEPER = "East's own gatekeeper line: could you put me through to {first_name}?"
MADE_UP = 6_999_999


@dataclass(frozen=True)
class Teams:
    admin: TestUser
    east_boss: TestUser
    west_boss: TestUser
    east_rep: TestUser
    west_rep: TestUser
    east_contact: int  # Maren of East, with a planned call proposing gk-ftc-1
    west_contact: int


@pytest.fixture
def teams(engine) -> Teams:  # type: ignore[no-untyped-def]
    admin = make_user(engine, "root@ember.example", role="admin", team=None, password=PASSWORD)
    east_boss = make_user(engine, "boss@east.example", role="manager", team="East", password=PASSWORD)
    west_boss = make_user(engine, "boss@west.example", role="manager", team="West", password=PASSWORD)
    east_rep = make_user(engine, "rep@east.example", team="East", password=PASSWORD)
    west_rep = make_user(engine, "rep@west.example", team="West", password=PASSWORD)
    east, west = _planned_contact(engine, east_rep.id, "east"), _planned_contact(engine, west_rep.id, "west")
    return Teams(admin, east_boss, west_boss, east_rep, west_rep, east, west)


def _planned_contact(engine, rep_id: int, tag: str) -> int:  # type: ignore[no-untyped-def]
    """Maren, whose first call (due now) proposes the shared gatekeeper line gk-ftc-1."""
    now = datetime.now(UTC)
    with unit_of_work(engine) as session:
        ensure_defaults(session)
        variant = session.scalar(select(MessageVariant.id).where(MessageVariant.key == "gk-ftc-1"))
        contact = Contact(owner_id=rep_id, first_name="Maren", last_name="Berger", email=f"maren@{tag}.example",
                          phone="+49 30 1234567", timezone="Europe/Berlin", country="DE",
                          created_at=now - timedelta(days=40))
        session.add(contact)
        session.flush()
        session.add(PlannedTouch(contact_id=contact.id, rep_id=rep_id, kind="ftc", channel="call",
                                 due_at=now - timedelta(hours=1), label="FTC #1", purpose="Get a first conversation",
                                 message_variant_id=variant, reason="First attempt: nobody reached yet."))
        return contact.id


def _opener(client, user: TestUser, contact_id: int) -> str:  # type: ignore[no-untyped-def]
    answer = client.post("/api/compose", headers=user.headers, json={"kind": "opener", "contact_id": contact_id})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["text"])


def _proposed(client, user: TestUser, contact_id: int) -> str | None:  # type: ignore[no-untyped-def]
    items = client.get("/api/today", headers=user.headers).json()
    return next(item["message"] for item in items if item["contact_id"] == contact_id and item["variant"])


def test_a_managers_template_is_her_teams_copy(client, teams) -> None:
    saved = client.put("/api/templates/opener", headers=teams.east_boss.headers, json={"body": EAST_OPENER})
    assert saved.status_code == 200 and saved.json()["wording"] == "team"

    assert _opener(client, teams.east_rep, teams.east_contact).startswith("East's own opener for Maren")
    assert "East's own" not in _opener(client, teams.west_rep, teams.west_contact)
    west_view = client.get("/api/templates/opener", headers=teams.west_boss.headers).json()
    assert west_view["body"] == default_source("opener") and west_view["wording"] == "shipped"
    assert not next(t for t in client.get("/api/templates", headers=teams.west_boss.headers).json()
                    if t["name"] == "opener")["edited"]

    # An admin changes the shared wording: West gets it, East keeps its copy until it resets.
    assert client.put("/api/templates/opener", headers=teams.admin.headers,
                      json={"body": SHARED_OPENER}).status_code == 200
    assert _opener(client, teams.west_rep, teams.west_contact).startswith("Everyone's opener for Maren")
    assert _opener(client, teams.east_rep, teams.east_contact).startswith("East's own opener")
    east_view = client.get("/api/templates/opener", headers=teams.east_boss.headers).json()
    assert east_view["default"] == SHARED_OPENER  # what resetting goes back to
    desk = Desk(client, "boss@east.example")
    assert desk.post("/settings/templates/opener", {"action": "reset"}).status_code == 303
    assert _opener(client, teams.east_rep, teams.east_contact).startswith("Everyone's opener for Maren")


def test_the_template_preview_page_shows_whose_wording_applies(client, teams) -> None:
    client.put("/api/templates/opener", headers=teams.east_boss.headers, json={"body": EAST_OPENER})
    east = Desk(client, "boss@east.example").get("/settings/templates?name=opener")
    west = Desk(client, "boss@west.example").get("/settings/templates?name=opener")
    assert "your team&#39;s copy" in east.text and "East&#39;s own opener" in east.text
    assert "Ember&#39;s wording" in west.text and "East&#39;s own opener" not in west.text
    assert "other teams keep the shared wording" in west.text


def _shared_story(engine) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        story = ProofPoint(kind="story", title="Shared: a fleet firm", text="Quotes went out the same day.")
        session.add(story)
        session.flush()
        return story.id


def _stories(client, user: TestUser) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {s["id"]: s["title"] for s in client.get("/api/stories", headers=user.headers).json()}


def test_a_managers_story_edit_is_her_teams_copy_and_hidden_from_other_teams(client, engine, teams) -> None:
    samples = _stories(client, teams.west_rep)  # the sample stories every database starts with
    shared = _shared_story(engine)
    body = {"kind": "story", "title": "East: a fleet firm", "text": "Quotes went out within the hour."}
    edited = client.put(f"/api/stories/{shared}", headers=teams.east_boss.headers, json=body)
    assert edited.status_code == 200 and edited.json()["shared"] is False
    copy = edited.json()["id"]
    assert copy != shared

    assert _stories(client, teams.east_rep) == {**samples, copy: "East: a fleet firm"}
    assert _stories(client, teams.west_rep) == {**samples, shared: "Shared: a fleet firm"}

    own = client.post("/api/stories", headers=teams.east_boss.headers,
                      json={"kind": "proof", "title": "East only", "text": "Our own figure."}).json()["id"]
    assert "East only" not in client.get("/api/stories", headers=teams.west_boss.headers).text

    # West's manager: East's copies answer exactly as an id nobody has.
    for target in (copy, own):
        for method, path, payload in (("PUT", "/api/stories/{}", body), ("DELETE", "/api/stories/{}", None)):
            hidden = client.request(method, path.format(target), headers=teams.west_boss.headers, json=payload)
            missing = client.request(method, path.format(MADE_UP), headers=teams.west_boss.headers, json=payload)
            assert hidden.status_code == missing.status_code == 404
            assert hidden.text.replace(str(target), "<id>") == missing.text.replace(str(MADE_UP), "<id>")
    west_desk = Desk(client, "boss@west.example")
    assert west_desk.get(f"/settings/stories?edit={copy}").status_code == 404
    assert west_desk.post(f"/settings/stories/{own}/delete", {}).status_code == 404

    # East takes the shared story out of its library: West still has it.
    assert client.delete(f"/api/stories/{shared}", headers=teams.east_boss.headers).status_code == 204
    assert _stories(client, teams.east_rep) == {**samples, own: "East only"}
    assert _stories(client, teams.west_rep) == {**samples, shared: "Shared: a fleet firm"}
    with unit_of_work(engine) as session:
        assert session.get(ProofPoint, shared).text == "Quotes went out the same day."  # type: ignore[union-attr]


def test_an_admin_keeps_the_shared_stories(client, engine, teams) -> None:
    samples = _stories(client, teams.west_rep)
    shared = _shared_story(engine)
    body = {"kind": "story", "title": "Shared, reworded", "text": "Quotes went out the same morning."}
    assert client.put(f"/api/stories/{shared}", headers=teams.admin.headers, json=body).json()["id"] == shared
    assert _stories(client, teams.west_rep) == {**samples, shared: "Shared, reworded"}
    east_copy = client.put(f"/api/stories/{shared}", headers=teams.east_boss.headers,
                           json={**body, "title": "East's version"}).json()["id"]
    assert _stories(client, teams.admin) == {**samples, shared: "Shared, reworded"}
    assert client.put(f"/api/stories/{east_copy}", headers=teams.admin.headers, json=body).status_code == 404
    assert client.delete(f"/api/stories/{shared}", headers=teams.admin.headers).status_code == 204
    assert _stories(client, teams.west_rep) == samples
    # A team's edit outlives the shared story it started from.
    assert _stories(client, teams.east_rep) == {**samples, east_copy: "East's version"}


def test_a_managers_message_edit_is_used_by_her_team_only(client, engine, teams) -> None:
    shared_text = _proposed(client, teams.west_rep, teams.west_contact)
    assert shared_text and shared_text == _proposed(client, teams.east_rep, teams.east_contact)
    current = next(v for v in client.get("/api/messages", headers=teams.east_boss.headers).json()
                   if v["key"] == "gk-ftc-1")
    edit = {k: current[k] for k in ("situation", "phase", "attempt", "subject", "pairs_with")}
    saved = client.put("/api/messages/gk-ftc-1", headers=teams.east_boss.headers,
                       json={**edit, "body": EAST_GATEKEEPER})
    assert saved.status_code == 200 and saved.json()["shared"] is False

    # Today: East's planned call now proposes East's wording; West's the shared one.
    assert _proposed(client, teams.east_rep, teams.east_contact) == EAST_GATEKEEPER.format(first_name="Maren")
    assert _proposed(client, teams.west_rep, teams.west_contact) == shared_text
    west = {v["key"]: v for v in client.get("/api/messages", headers=teams.west_boss.headers).json()}
    assert west["gk-ftc-1"]["body"] != EAST_GATEKEEPER and west["gk-ftc-1"]["shared"] is True

    # The touches each rep logs count against their own team's row of the message.
    for rep, contact in ((teams.east_rep, teams.east_contact), (teams.west_rep, teams.west_contact)):
        logged = client.post("/api/touches", headers=rep.headers,
                             json={"contact_id": contact, "channel": "call", "outcome": "gatekeeper"})
        assert logged.status_code == 201, logged.text
    with unit_of_work(engine) as session:
        used = dict(session.execute(select(Touch.contact_id, MessageVariant.scope)
                                    .join(MessageVariant, MessageVariant.id == Touch.message_variant_id)).all())
        assert used[teams.east_contact] != "*" and used[teams.west_contact] == "*"
        # Rotation follows the message, not the row: East's Maren never gets gk-ftc-1 again, in any copy.
        proposed = session.scalars(select(MessageVariant.key).join(
            PlannedTouch, PlannedTouch.message_variant_id == MessageVariant.id)
            .where(PlannedTouch.contact_id == teams.east_contact, PlannedTouch.status == "planned")).all()
        assert "gk-ftc-1" not in proposed


def test_another_teams_own_message_is_answered_as_missing(client, teams) -> None:
    new = {"key": "east-breakup", "situation": "email", "phase": "follow_up", "body": "Shall I close the file?"}
    assert client.post("/api/messages", headers=teams.east_boss.headers, json=new).status_code == 201
    assert "east-breakup" not in client.get("/api/messages", headers=teams.west_rep.headers).text
    edit = {k: v for k, v in new.items() if k != "key"}
    for key in ("east-breakup", "made-up-key"):
        assert client.put(f"/api/messages/{key}", headers=teams.west_boss.headers, json=edit).status_code == 404
    hidden = client.post("/api/messages/east-breakup/active?active=false", headers=teams.west_boss.headers)
    missing = client.post("/api/messages/made-up-key/active?active=false", headers=teams.west_boss.headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace("east-breakup", "<key>") == missing.text.replace("made-up-key", "<key>")
    # West may write its own message under the same key: nothing says East has one.
    assert client.post("/api/messages", headers=teams.west_boss.headers, json=new).status_code == 201
    west_desk = Desk(client, "boss@west.example")
    assert west_desk.get("/settings/messages?edit=east-breakup").status_code == 200  # West's own, now
    assert "Shall I close the file?" in client.get("/api/messages", headers=teams.west_rep.headers).text


def test_retiring_a_shared_message_retires_it_for_the_team_only(client, teams) -> None:
    desk = Desk(client, "boss@east.example")
    assert desk.post("/settings/messages/gk-ftc-1/active", {"active": "0"}).status_code == 303
    east = {v["key"]: v["active"] for v in client.get("/api/messages", headers=teams.east_rep.headers).json()}
    west = {v["key"]: v["active"] for v in client.get("/api/messages", headers=teams.west_rep.headers).json()}
    assert east["gk-ftc-1"] is False and west["gk-ftc-1"] is True
    page = Desk(client, "boss@west.example").get("/settings/messages")
    assert "editing or retiring one makes your team's own copy" in page.text


def test_reps_and_teamless_managers_change_nothing_once_there_are_teams(client, engine, teams) -> None:
    loner = make_user(engine, "loner@ember.example", role="manager", team=None, password=PASSWORD)
    for user in (teams.east_rep, loner):
        assert client.put("/api/templates/opener", headers=user.headers, json={"body": EAST_OPENER}).status_code == 403
        assert client.post("/api/stories", headers=user.headers,
                           json={"kind": "story", "title": "x", "text": "y"}).status_code == 403
    assert _opener(client, teams.west_rep, teams.west_contact) != EAST_OPENER


def test_the_cli_lists_a_teams_library(ember, client, teams) -> None:
    client.put("/api/templates/opener", headers=teams.east_boss.headers, json={"body": EAST_OPENER})
    assert ember("templates", "show", "opener", "--as", "rep@east.example").stdout == EAST_OPENER
    assert ember("templates", "show", "opener", "--as", "rep@west.example").stdout == default_source("opener")
    assert ember("templates", "show", "opener").stdout == default_source("opener")  # the admin: shared
    edited = ember("messages", "edit", "gk-ftc-1", "--body", EAST_GATEKEEPER, "--as", "boss@east.example")
    assert edited.exit_code == 0, edited.stderr
    assert "East's own gatekeeper" in ember("messages", "list", "--json", "--as", "rep@east.example").stdout
    assert "East's own gatekeeper" not in ember("messages", "list", "--json", "--as", "rep@west.example").stdout
