"""A line break in a subject or any other header value is refused once with a clear error
(API, CLI, compose page): nothing is queued, nothing retried, nothing reaches the mail server."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ember.db import unit_of_work
from ember.models import Contact, OutboundMessage
from tests.compose_support import add_contact, smtp_server
from tests.factories import make_user

INJECTED = "Pricing\r\nBcc: everyone@rival.example"


def _outbound_rows(engine) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return int(session.scalar(select(func.count()).select_from(OutboundMessage)) or 0)


def test_api_refuses_a_subject_with_a_line_break(client, engine, settings) -> None:
    rep = make_user(engine, "dana@acme.example")
    contact_id = add_contact(engine, rep.id)
    with smtp_server() as (mailbox, port):
        settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", port
        for subject in (INJECTED, "Pricing\nBcc: x@rival.example", "Pricing\rX-Evil: 1"):
            response = client.post("/api/send", headers=rep.headers,
                                   json={"contact_id": contact_id, "subject": subject, "body": "Hi Marco"})
            assert response.status_code == 422, response.text
            [problem] = response.json()["error"]["problems"]
            assert problem["where"] == "subject" and "line break" in problem["what"]
    assert mailbox.received == [] and _outbound_rows(engine) == 0
    assert client.get("/api/outbound", headers=rep.headers).json() == []


def test_api_refuses_a_contact_name_that_would_break_the_to_header(client, engine, settings) -> None:
    rep = make_user(engine, "dana@acme.example")
    contact_id = add_contact(engine, rep.id)
    with unit_of_work(engine) as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        contact.last_name = "Ruiz\r\nBcc: everyone@rival.example"
    with smtp_server() as (mailbox, port):
        settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", port
        response = client.post("/api/send", headers=rep.headers,
                               json={"contact_id": contact_id, "subject": "Next steps", "body": "Hi Marco"})
    assert response.status_code == 422 and "the contact's name" in response.text
    assert mailbox.received == [] and _outbound_rows(engine) == 0


def test_cli_refuses_a_subject_with_a_line_break(ember, engine, tmp_path, monkeypatch) -> None:
    assert ember("users", "add", "dana@acme.example", "--name", "Dana Whitfield").exit_code == 0
    add_contact(engine, 1)
    body = tmp_path / "email.txt"
    body.write_text("Hi Marco\n")
    with smtp_server() as (mailbox, port):
        monkeypatch.setenv("EMBER_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("EMBER_SMTP_PORT", str(port))
        result = ember("send", "--as", "dana@acme.example", "--contact", "marco@harbor.example",
                       "--subject", INJECTED, "--body-file", str(body))
    assert result.exit_code == 1 and "line break" in result.stderr
    assert mailbox.received == [] and _outbound_rows(engine) == 0


def test_compose_page_refuses_a_subject_with_a_line_break(client, engine, settings) -> None:
    rep = make_user(engine, "dana@acme.example", password="correct horse")
    contact_id = add_contact(engine, rep.id)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"email": "dana@acme.example", "password": "correct horse", "csrf": token})
    page = client.get(f"/contacts/{contact_id}/compose").text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    with smtp_server() as (mailbox, port):
        settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", port
        response = client.post(f"/contacts/{contact_id}/send",
                               data={"subject": INJECTED, "body": "Hi Marco", "csrf": token})
    assert response.status_code == 422 and "line break" in response.text
    assert mailbox.received == [] and _outbound_rows(engine) == 0
