"""A send the mail server does not take: a plain reason, the rep's text kept, and a retry that sends it."""

from __future__ import annotations

import re
import socket

from tests.compose_support import add_contact, parts, smtp_server
from tests.factories import make_user
from tests.web.page_support import BROWSER, log_in, token_of


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens there once the socket is closed


def test_a_failed_send_keeps_the_text_says_why_and_retries(client, engine, settings) -> None:
    rep = make_user(engine, "dana@acme.example", password="correct horse")
    contact_id = add_contact(engine, rep.id)
    log_in(client, rep.email)
    page = client.get(f"/contacts/{contact_id}/compose?kind=email&situation=post-meeting", headers=BROWSER).text
    assert re.search(r'<input type="checkbox" name="attach_invite" value="1"\s*>', page)  # unticked: no invite
    form = {"csrf": token_of(page), "subject": "Our next step", "kind": "email",
            "body": "Hello Marco,\nmy own words, edited by hand.\nDana", "invite": "2026-03-10T15:00"}
    settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", _closed_port()
    failed = client.post(f"/contacts/{contact_id}/send", data=form, headers=BROWSER)
    assert failed.status_code == 502
    assert "Not sent: not sent yet: the mail server 127.0.0.1" in failed.text
    assert "refused the connection" in failed.text
    assert "my own words, edited by hand." in failed.text and "Our next step" in failed.text
    assert ">Try again</button>" in failed.text
    with smtp_server() as (mailbox, port):
        settings.mail.smtp_port = port
        sent = client.post(f"/contacts/{contact_id}/send", data=form, headers=BROWSER)
        assert sent.status_code == 200 and "Sent: sent to" in sent.text
    [message] = mailbox.received
    assert "my own words, edited by hand." in parts(message)["text/plain"]
    assert "text/calendar" not in parts(message)  # the time was filled in, but no invite was asked for


def test_an_invite_asked_for_without_a_time_is_refused(client, engine, settings) -> None:
    rep = make_user(engine, "dana@acme.example", password="correct horse")
    contact_id = add_contact(engine, rep.id)
    log_in(client, rep.email)
    token = token_of(client.get(f"/contacts/{contact_id}/compose", headers=BROWSER).text)
    response = client.post(f"/contacts/{contact_id}/send", headers=BROWSER, data={
        "csrf": token, "subject": "Hi", "body": "Hello", "attach_invite": "1", "invite": ""})
    assert response.status_code == 422 and "pick the meeting" in response.text
