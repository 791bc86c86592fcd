from __future__ import annotations

import pytest
from tests.factories import make_user

from ember.db import unit_of_work
from ember.models import Contact

pytestmark = pytest.mark.browser


def _log(page, channel: str, outcome: str) -> str:  # type: ignore[no-untyped-def]
    page.select_option("select[name=channel]", channel)
    page.select_option("select[name=outcome]", outcome)
    logged = len(page.query_selector_all("#timeline .entry.touch"))
    page.click("text=Log touch")
    # Wait for the page that shows the new touch, not just for any navigation to start.
    page.wait_for_function("n => document.querySelectorAll('#timeline .entry.touch').length > n", arg=logged)
    error = page.query_selector(".error")
    assert error is None, f"logging {channel}/{outcome} failed: {error.text_content()}"
    assert page.query_selector("#next-plan"), f"logging {channel}/{outcome} led to {page.url}: {page.content()[:800]}"
    return page.text_content("#next-plan")


def test_rep_logs_touches_and_sees_labels_messages_and_nurture(page, server_url, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    with unit_of_work(engine) as session:
        contact = Contact(owner_id=rep.id, first_name="Maren", last_name="Holt", email="maren@nordwerk.example",
                          phone="+49 30 1234567", country="DE", timezone="Europe/Berlin")
        session.add(contact)
        session.flush()
        contact_id = contact.id
    page.goto(f"{server_url}/login")
    page.fill("input[name=email]", "rep@ember.example")
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server_url}/")
    page.click("text=Contacts")
    page.click("text=Maren Holt")
    assert page.text_content("#next-plan").strip() == "Nothing planned."

    proposals = []
    for channel, outcome in (("call", "gatekeeper"), ("voicemail", "voicemail"), ("email", "email-sent")):
        _log(page, channel, outcome)
        proposals.append(page.text_content("#next-touch"))
    message = page.text_content("#next-touch")
    assert "{" not in message  # known facts are filled in, sentences needing unknown ones left out
    labels = [cell.text_content() for cell in page.query_selector_all("#timeline .entry.touch .badge")]
    assert labels == ["FTC #3", "FTC #2", "FTC #1"]
    assert len(set(proposals)) == 3

    plan = _log(page, "call", "conversation")
    assert "follow-up #1" in plan
    assert "FTC #4" in page.text_content(".flash")

    _log(page, "call", "said-no")
    assert page.text_content("#next-plan").strip() == "Nothing planned: the contact is nurture."
    page.click("text=Nurture")
    assert "Maren Holt" in page.text_content(".nurture-list")
    page.goto(f"{server_url}/contacts/{contact_id}")
    assert "nurture" in page.text_content("h1 .status")


def test_form_errors_are_shown_and_nothing_is_logged(client, engine) -> None:
    import re

    rep = make_user(engine, "rep@ember.example", password="correct horse")
    with unit_of_work(engine) as session:
        contact = Contact(owner_id=rep.id, first_name="Ann", email="ann@x.example")
        session.add(contact)
        session.flush()
        contact_id = contact.id
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"email": "rep@ember.example", "password": "correct horse", "csrf": token})
    page = client.get(f"/contacts/{contact_id}").text  # the session (and its token) is new after login
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post(f"/contacts/{contact_id}/touches",
                           data={"channel": "call", "outcome": "maybe", "csrf": token})
    assert response.status_code == 422 and "unknown outcome" in response.text
    assert "Nothing has happened yet" in response.text
