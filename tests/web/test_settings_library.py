"""The desk's libraries: trigger rules, sources, messages, templates with preview, stories.

Each form refuses bad input on the form and stores nothing; reps are kept out.
"""

from __future__ import annotations

import re

import pytest
from tests.desk_support import Desk, desk_people

from ember.db import unit_of_work
from ember.models import ComposeTemplate, Contact, EventSource, MessageVariant, ProofPoint, TriggerRule


@pytest.fixture
def people(engine):  # type: ignore[no-untyped-def]
    return desk_people(engine)


def _contact(engine, owner_id: int, first: str, email: str) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        contact = Contact(owner_id=owner_id, first_name=first, last_name="Holt", email=email, country="DE",
                          timezone="Europe/Berlin")
        session.add(contact)
        session.flush()
        return contact.id


def _count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return session.query(model).count()


@pytest.mark.parametrize("path", ["/settings/rules", "/settings/messages", "/settings/templates",
                                  "/settings/stories", "/settings/sources"])
def test_reps_are_kept_out_of_the_libraries(client, people, path) -> None:
    desk = Desk(client, "sam@ember.example")
    assert desk.get(path).status_code == 403
    target = "/settings/templates/note" if path.endswith("templates") else path
    assert desk.post(target, {"name": "x", "title": "x", "text": "x", "body": "x"}).status_code == 403


def test_event_sources_are_for_admins_and_show_the_secret_once(client, engine, people) -> None:
    assert Desk(client, "maya@ember.example").get("/settings/sources").status_code == 403
    assert "Event sources" not in Desk(client, "maya@ember.example").get("/settings").text
    desk = Desk(client, "admin@ember.example")
    bad = desk.post("/settings/sources", {"name": "my site!"})
    assert bad.status_code == 422 and 'id="error-name"' in bad.text and _count(engine, EventSource) == 0
    created = desk.post("/settings/sources", {"name": "website"})
    secret = re.search(r'id="source-secret">([^<]+)<', created.text).group(1)  # type: ignore[union-attr]
    assert secret.startswith("whsec_") and "data-site=" in created.text
    assert secret not in desk.get("/settings/sources").text  # never shown again
    taken = desk.post("/settings/sources", {"name": "website"})
    assert taken.status_code == 409 and "already exists" in taken.text


def test_a_manager_adds_a_rule_for_her_team_and_bad_rules_are_refused(client, engine, people) -> None:
    desk = Desk(client, "maya@ember.example")
    before = _count(engine, TriggerRule)
    for form, where in (({"name": "", "event_type": "page_view"}, "error-name"),
                        ({"name": "Pricing", "event_type": "tweet"}, "error-event_type"),
                        ({"name": "Pricing", "event_type": "page_view", "min_count": "lots"}, "error-min_count"),
                        ({"name": "Pricing", "event_type": "page_view", "window_hours": "0"}, "error-window_hours"),
                        ({"name": "Pricing", "event_type": "page_view", "audience": "vips"}, "error-audience")):
        answer = desk.post("/settings/rules", {"min_count": "1", "window_hours": "24", "audience": "any", **form})
        assert answer.status_code == 422 and f'id="{where}"' in answer.text, form
    assert _count(engine, TriggerRule) == before
    added = desk.post("/settings/rules", {"name": "Integrations page", "event_type": "page_view",
                                          "url_pattern": "*/integrations*", "min_count": "2", "window_hours": "48",
                                          "audience": "nurture"})
    assert added.status_code == 303
    with unit_of_work(engine) as session:
        rule = session.query(TriggerRule).filter_by(name="Integrations page").one()
        east_team, rule_id = rule.team_id, rule.id
        assert (rule.min_count, rule.window_hours, rule.audience) == (2, 48, "nurture") and east_team is not None
        shared = session.query(TriggerRule).filter(TriggerRule.team_id.is_(None)).first()
        assert shared is not None
        shared_id = shared.id
    assert desk.post(f"/settings/rules/{rule_id}/active", {"active": "0"}).status_code == 303
    assert desk.post(f"/settings/rules/{shared_id}/active", {"active": "0"}).status_code == 403


def test_messages_are_validated_and_saved(client, engine, people) -> None:
    desk = Desk(client, "maya@ember.example")
    desk.get("/settings/messages")  # the page seeds the shipped library when it is empty
    before = _count(engine, MessageVariant)
    bad = desk.post("/settings/messages", {"key": "Bad Key", "situation": "fax", "phase": "follow_up",
                                           "attempt": "99", "body": " "})
    assert bad.status_code == 422
    for where in ("error-key", "error-situation", "error-attempt", "error-body"):
        assert f'id="{where}"' in bad.text
    assert _count(engine, MessageVariant) == before
    good = desk.post("/settings/messages", {"key": "email-follow-up-9", "situation": "email", "phase": "follow_up",
                                            "attempt": "6", "subject": "One more idea", "body": "Hi {first_name}, ..."})
    assert good.status_code == 303
    edited = desk.post("/settings/messages", {"editing": "email-follow-up-9", "situation": "email",
                                              "phase": "follow_up", "attempt": "6", "subject": "A new idea",
                                              "body": "Hi {first_name}, one idea."})
    assert edited.status_code == 303
    assert desk.post("/settings/messages/email-follow-up-9/active", {"active": "0"}).status_code == 303
    with unit_of_work(engine) as session:
        row = session.query(MessageVariant).filter_by(key="email-follow-up-9").one()
        assert (row.subject, row.body, row.is_active) == ("A new idea", "Hi {first_name}, one idea.", False)


def test_template_preview_on_a_real_contact_and_saved_only_when_it_renders(client, engine, people) -> None:
    ann = _contact(engine, people["sam"].id, "Annika", "annika@nordwerk.example")
    other = _contact(engine, people["wes"].id, "Wendy", "wendy@west.example")
    desk = Desk(client, "maya@ember.example")
    page = desk.get("/settings/templates?name=note").text
    assert "Annika Holt" in page and "Wendy" not in page  # only contacts she may see
    body = "Subject: Thanks, {{ first_name }}\n\nHi {{ first_name }}, good talking today.\n\n{{ rep_name }}"
    preview = desk.post("/settings/templates/note/preview", {"body": body, "contact_id": str(ann)},
                        headers={"hx-request": "true"})
    assert preview.status_code == 200 and "Hi Annika, good talking today." in preview.text
    assert "Thanks, Annika" in preview.text
    hidden = desk.post("/settings/templates/note/preview", {"body": body, "contact_id": str(other)},
                       headers={"hx-request": "true"})
    assert 'id="preview-error"' in hidden.text and "Wendy" not in hidden.text
    broken = desk.post("/settings/templates/note/preview", {"body": "Subject: x\n\n{{ first_name ", "contact_id":
                                                            str(ann)}, headers={"hx-request": "true"})
    assert 'id="preview-error"' in broken.text
    assert desk.post("/settings/templates/note/preview", {"body": "{{ x ", "contact_id": str(ann)}).status_code == 422
    refused = desk.post("/settings/templates/note", {"body": "Subject: Hi\n\n{{ secret_sauce }}",
                                                     "contact_id": str(ann), "action": "save"})
    assert refused.status_code == 422 and "secret_sauce" in refused.text
    assert _count(engine, ComposeTemplate) == 0
    saved = desk.post("/settings/templates/note", {"body": body, "contact_id": str(ann), "action": "save"})
    assert saved.status_code == 303
    with unit_of_work(engine) as session:
        assert session.query(ComposeTemplate).filter_by(name="note").one().body == body
    assert desk.post("/settings/templates/note", {"action": "reset", "body": ""}).status_code == 303
    assert _count(engine, ComposeTemplate) == 0
    assert desk.get("/settings/templates?name=nothing").status_code == 404


def test_stories_are_validated_added_edited_and_deleted(client, engine, people) -> None:
    desk = Desk(client, "maya@ember.example")
    before = _count(engine, ProofPoint)
    bad = desk.post("/settings/stories", {"kind": "rumour", "title": " ", "text": "", "industry": "x" * 101})
    assert bad.status_code == 422
    for where in ("error-kind", "error-title", "error-text", "error-industry"):
        assert f'id="{where}"' in bad.text
    assert _count(engine, ProofPoint) == before
    assert desk.post("/settings/stories", {"kind": "story", "title": "Nordwerk cut onboarding in half",
                                           "text": "From six weeks to three.", "industry": "logistics",
                                           "problem_keywords": "onboarding, churn"}).status_code == 303
    with unit_of_work(engine) as session:
        story_id = session.query(ProofPoint).filter_by(title="Nordwerk cut onboarding in half").one().id
    assert desk.post("/settings/stories", {"story_id": str(story_id), "kind": "proof", "title": "Nordwerk: 2x faster",
                                           "text": "Three weeks."}).status_code == 303
    assert "Nordwerk: 2x faster" in desk.get("/settings/stories").text
    assert desk.post(f"/settings/stories/{story_id}/delete").status_code == 303
    assert _count(engine, ProofPoint) == before
