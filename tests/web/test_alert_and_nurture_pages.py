"""The alerts inbox and the nurture list page, fed by real signed events and real touches."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import time_machine
from sqlalchemy import select
from tests.factories import make_user
from tests.trigger_support import drain, event, make_contact, make_source, signed
from tests.web.page_support import BROWSER, log_in

from ember.db import unit_of_work
from ember.models import Contact, NurtureMembership


def _raise_alert(client, engine, settings, email: str, msg_id: str) -> None:  # type: ignore[no-untyped-def]
    secret = make_source(engine, f"site-{msg_id}")
    raw, headers = signed(secret, event(id_=msg_id, email=email, source=f"site-{msg_id}"), msg_id=msg_id)
    assert client.post("/events", content=raw, headers=headers).status_code == 202
    drain(settings)


@time_machine.travel(datetime(2026, 3, 4, 10, 0, tzinfo=UTC), tick=True)
def test_the_inbox_lists_alerts_newest_first_and_marking_one_seen_lowers_the_count(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    make_contact(engine, rep.id, "omar@prospect.example", first="Omar", last="Said")
    _raise_alert(client, engine, settings, "nora@prospect.example", "a1")
    _raise_alert(client, engine, settings, "omar@prospect.example", "a2")
    token = log_in(client, rep.email)
    page = client.get("/alerts", headers=BROWSER).text
    assert page.index("Omar Said") < page.index("Nora Quinn")  # newest first
    assert 'id="unseen-total">2<' in page and "Pricing page visit" in page and "acme.example/pricing" in page
    alert_id = int(re.search(r"id=\"alert-(\d+)\"", page).group(1))  # type: ignore[union-attr]
    seen = client.post(f"/alerts/{alert_id}/seen", data={"csrf": token}, headers={**BROWSER, "HX-Request": "true"})
    assert seen.status_code == 200 and '"unseen": 1' in seen.headers["HX-Trigger"] and "Mark seen" not in seen.text
    assert "Omar Said" not in client.get("/alerts?show=unseen", headers=BROWSER).text
    assert "Omar Said" in client.get("/alerts?show=seen", headers=BROWSER).text
    assert client.get("/api/alerts/stream?once=1").text.count('"unseen": 1') == 1  # the badge's own count


def test_nurture_page_shows_why_since_owner_history_exports_and_reopens_with_a_reason(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    contact_id = make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    token = log_in(client, rep.email)
    page = client.get("/nurture", headers=BROWSER).text
    assert "Nora Quinn" in page and "said no on a call" in page and "rep@ember.example" in page
    assert "Trigger history" in page and "No signal since they said no" in page
    export = client.get("/nurture/export.csv", headers=BROWSER)
    assert export.headers["content-type"].startswith("text/csv") and "nora@prospect.example" in export.text
    refused = client.post(f"/nurture/{contact_id}/reopen", data={"csrf": token, "reason": " "}, headers=BROWSER)
    assert refused.status_code == 422 and "say why you re-open this contact" in refused.text
    reopened = client.post(f"/nurture/{contact_id}/reopen", data={"csrf": token, "reason": "New budget in Q3"},
                           headers=BROWSER)
    assert reopened.status_code == 200 and "is active again" in reopened.text
    with unit_of_work(engine) as session:
        contact = session.get(Contact, contact_id)
        stretch = session.scalar(select(NurtureMembership).where(NurtureMembership.contact_id == contact_id))
    assert contact is not None and contact.status == "active"
    assert stretch is not None and stretch.ended_note == "New budget in Q3" and stretch.ended_reason == "manual"
    assert "Nobody is on the nurture list" in client.get("/nurture", headers=BROWSER).text
