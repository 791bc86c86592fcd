"""Trigger rules on the desk: edit, disable, delete per team, with validation, and a preview of which recent
events a rule would have matched (stored events, the real matching; nothing saved)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.desk_support import Desk, desk_people

from ember.db import unit_of_work
from ember.models import Contact, InboundEvent, TriggerRule


@pytest.fixture
def people(engine):  # type: ignore[no-untyped-def]
    return desk_people(engine, west_manager=True)


def _rule(engine, name: str) -> TriggerRule | None:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        rule = session.query(TriggerRule).filter_by(name=name).one_or_none()
        session.expunge_all()
        return rule


def _contact(engine, owner_id: int, first: str, status: str) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        contact = Contact(owner_id=owner_id, first_name=first, last_name="Holt", email=f"{first.lower()}@buyer.example",
                          country="DE", timezone="Europe/Berlin", status=status)
        session.add(contact)
        session.flush()
        return contact.id


def _visits(engine, contact_id: int, urls_days_ago: list[tuple[str, float]]) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    with unit_of_work(engine) as session:
        for n, (url, days) in enumerate(urls_days_ago):
            at = now - timedelta(days=days)
            session.add(InboundEvent(source="website", external_id=f"{contact_id}-{n}", type="page_view", url=url,
                                     contact_id=contact_id, occurred_at=at, received_at=at, status="handled"))


RULE = {"name": "Pricing twice", "event_type": "page_view", "url_pattern": "*/pricing*", "min_count": "2",
        "window_hours": "48", "audience": "nurture"}


def test_a_manager_edits_disables_and_deletes_her_teams_rule(client, engine, people) -> None:
    desk = Desk(client, "maya@ember.example")
    assert desk.post("/settings/rules", RULE).status_code == 303
    rule = _rule(engine, "Pricing twice")
    assert rule is not None
    page = desk.get(f"/settings/rules?edit={rule.id}").text
    assert 'action="/settings/rules/' + str(rule.id) + '"' in page and 'value="Pricing twice"' in page

    bad = desk.post(f"/settings/rules/{rule.id}", {**RULE, "min_count": "0", "url_pattern": "*/plans*"})
    assert bad.status_code == 422 and 'id="error-min_count"' in bad.text and 'value="*/plans*"' in bad.text
    unchanged = _rule(engine, "Pricing twice")
    assert unchanged is not None and (unchanged.min_count, unchanged.url_pattern) == (2, "*/pricing*")

    saved = desk.post(f"/settings/rules/{rule.id}", {**RULE, "name": "Plans page", "url_pattern": "*/plans*",
                                                      "min_count": "3", "audience": "any"})
    assert saved.status_code == 303
    edited = _rule(engine, "Plans page")
    assert edited is not None and (edited.url_pattern, edited.min_count, edited.audience) == ("*/plans*", 3, "any")

    assert desk.post(f"/settings/rules/{rule.id}/active", {"active": "0"}).status_code == 303
    assert "Enable rule Plans page" in desk.get("/settings/rules").text
    assert desk.post(f"/settings/rules/{rule.id}/delete").status_code == 303
    assert _rule(engine, "Plans page") is None


def test_rules_of_other_teams_and_shipped_rules_stay_as_they_are(client, engine, people) -> None:
    Desk(client, "will@ember.example").post("/settings/rules", {**RULE, "name": "West only"})
    west = _rule(engine, "West only")
    assert west is not None
    maya = Desk(client, "maya@ember.example")
    assert maya.get(f"/settings/rules?edit={west.id}").status_code == 404
    assert maya.post(f"/settings/rules/{west.id}", {**RULE, "name": "Mine now"}).status_code == 404
    assert maya.post(f"/settings/rules/{west.id}/delete").status_code == 404
    with unit_of_work(engine) as session:
        shipped = session.query(TriggerRule).filter(TriggerRule.default_key.is_not(None)).first()
        assert shipped is not None
        shipped_id, shipped_name = shipped.id, shipped.name
    assert maya.post(f"/settings/rules/{shipped_id}", {**RULE}).status_code == 403  # shared: admins only
    admin = Desk(client, "admin@ember.example")
    refused = admin.post(f"/settings/rules/{shipped_id}/delete")
    assert refused.status_code == 422 and "disable it instead" in refused.text
    assert _rule(engine, shipped_name) is not None and _rule(engine, "West only") is not None


def test_the_preview_shows_which_contacts_recent_events_would_have_alerted_about(client, engine, people) -> None:
    eager = _contact(engine, people["sam"].id, "Nora", "nurture")  # two pricing visits in two days
    _visits(engine, eager, [("https://acme.example/pricing", 3.0), ("https://acme.example/pricing?plan=team", 2.5)])
    once = _contact(engine, people["sam"].id, "Olaf", "nurture")  # only one
    _visits(engine, once, [("https://acme.example/pricing", 1.0), ("https://acme.example/blog", 0.5)])
    active = _contact(engine, people["sam"].id, "Ada", "active")  # not on the nurture list
    _visits(engine, active, [("https://acme.example/pricing", 1.0), ("https://acme.example/pricing", 0.9)])
    west = _contact(engine, people["wes"].id, "Wanda", "nurture")  # another team's contact
    _visits(engine, west, [("https://acme.example/pricing", 1.0), ("https://acme.example/pricing", 0.9)])
    old = _contact(engine, people["sam"].id, "Otto", "nurture")  # long ago
    _visits(engine, old, [("https://acme.example/pricing", 60.0), ("https://acme.example/pricing", 59.9)])

    desk = Desk(client, "maya@ember.example")
    before = _count_rules(engine)
    shown = desk.post("/settings/rules", {**RULE, "action": "preview"})
    assert shown.status_code == 200 and 'id="rule-preview"' in shown.text
    matches = shown.text[shown.text.index('id="preview-matches"'):]
    assert "Nora Holt" in matches and "1 contact" in shown.text
    for other in ("Olaf", "Ada", "Wanda", "Otto"):
        assert other not in matches, other
    assert 'value="Pricing twice"' in shown.text and _count_rules(engine) == before  # nothing saved

    wider = desk.post("/settings/rules", {**RULE, "audience": "any", "action": "preview"})
    wider_matches = wider.text[wider.text.index('id="preview-matches"'):]
    assert "Nora Holt" in wider_matches and "Ada Holt" in wider_matches and "Wanda" not in wider_matches
    none = desk.post("/settings/rules", {**RULE, "url_pattern": "*/careers*", "action": "preview"})
    assert 'id="no-matches"' in none.text
    bad = desk.post("/settings/rules", {**RULE, "window_hours": "soon", "action": "preview"})
    assert bad.status_code == 422 and 'id="error-window_hours"' in bad.text
    assert "Wanda Holt" in Desk(client, "admin@ember.example").post(
        "/settings/rules", {**RULE, "action": "preview"}).text  # an admin previews every team


def _count_rules(engine) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return session.query(TriggerRule).count()
