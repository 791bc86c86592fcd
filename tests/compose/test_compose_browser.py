"""Done when: after a demo call is analysed, a rep writes the note, opener and brief, edits and sends the
email with an invite to a local SMTP server, and sending it again is refused with a clear message."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from tests.compose_support import add_contact, parts, record_demo_call, smtp_server
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_rep_writes_reviews_edits_and_sends_once(page, server_url, engine, settings) -> None:
    rep = make_user(engine, "dana@acme.example", password="correct horse", timezone="Europe/Berlin")
    contact_id = add_contact(engine, rep.id)
    record_demo_call(engine, settings, "dana@acme.example", contact_id)
    with smtp_server() as (mailbox, port):
        settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", port
        page.goto(f"{server_url}/login")
        page.fill("input[name=email]", "dana@acme.example")
        page.fill("input[name=password]", "correct horse")
        page.click("button[type=submit]")
        page.wait_for_url(f"{server_url}/")
        page.goto(f"{server_url}/contacts/{contact_id}")
        page.click("#compose-link")

        assert "Thank you, Marco" in page.input_value("input[name=subject]")
        assert "the pricing sheet and a case study from me" in page.input_value("textarea[name=body]")
        page.click("text=Call opener")
        assert "you keep losing track of leads" in page.text_content("#composed-text")
        page.click("text=Call-prep brief")
        brief = page.text_content("#composed-text")
        assert "technical lead" in brief and "executive" in brief and "influencer" in brief
        assert "spreadsheets" in page.text_content("#facts")

        page.click("text=Email: post meeting")
        subject = page.input_value("input[name=subject]")
        assert "what success could look like for Harbor Foods" in subject
        body = page.input_value("textarea[name=body]") + "\nP.S. Sam is welcome on Tuesday for the security part.\n"
        page.fill("textarea[name=body]", body)
        page.fill("input[name=invite]", "2026-03-10T21:00")
        page.check("input[name=attach_invite]")  # an invite goes only when asked for
        page.click("text=Send email")
        assert page.text_content(".flash").startswith("Sent: sent to marco@harbor.example")
        assert page.text_content("#outbound td.status") == "sent"

        # The rep sends the same email again (a double click, a reload): refused, and says why.
        page.fill("input[name=subject]", subject)
        page.fill("textarea[name=body]", body)
        page.fill("input[name=invite]", "2026-03-10T21:00")
        page.check("input[name=attach_invite]")
        page.click("text=Send email")
        assert "Not sent: already sent" in page.text_content("#send-error")
        assert len(page.query_selector_all("#outbound tbody tr")) == 1

    [message] = mailbox.received
    assert "Sam is welcome on Tuesday" in parts(message)["text/plain"]
    event = Calendar.from_ical(parts(message)["text/calendar"]).walk("VEVENT")[0]
    description = str(event.get("description"))
    assert "America/Chicago" in description and "Europe/Berlin" in description
