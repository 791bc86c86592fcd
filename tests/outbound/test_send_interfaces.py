"""`ember send` and the send API: JSON shapes, refusals with reasons, the outbound history."""

from __future__ import annotations

import json

from tests.compose_support import add_contact, parts, smtp_server
from tests.factories import make_user


def test_cli_send_prints_the_result_and_refuses_a_repeat(ember, engine, tmp_path, monkeypatch) -> None:
    assert ember("users", "add", "dana@acme.example", "--name", "Dana Whitfield",
                 "--timezone", "Europe/Berlin").exit_code == 0
    add_contact(engine, 1)
    body = tmp_path / "email.txt"
    body.write_text("Hi Marco,\n\nAs promised, the pricing sheet is attached to our next call.\n\nDana\n")
    args = ("send", "--as", "dana@acme.example", "--contact", "marco@harbor.example", "--subject", "Next steps",
            "--body-file", str(body), "--invite", "2026-03-10T21:00", "--json")
    with smtp_server() as (mailbox, port):
        monkeypatch.setenv("EMBER_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("EMBER_SMTP_PORT", str(port))
        first = ember(*args)
        assert first.exit_code == 0, first.stderr
        sent = json.loads(first.stdout)
        assert set(sent) == {"message_id", "status", "reason"} and sent["status"] == "sent"

        again = ember(*args)
        assert again.exit_code == 1
        refused = json.loads(again.stdout)
        assert refused["status"] == "refused" and "already sent" in refused["reason"]

        assert json.loads(ember("send", "--retry", "--json").stdout) == []
    [message] = mailbox.received
    assert message["Message-ID"] == sent["message_id"]
    assert "DTSTART:20260310T200000Z" in parts(message)["text/calendar"]  # 21:00 in Berlin, the rep's zone


def test_cli_send_names_missing_options(ember) -> None:
    result = ember("send", "--contact", "marco@harbor.example")
    assert result.exit_code == 1 and "--subject: not given" in result.stderr


def test_api_send_then_history_then_refusal(client, engine, settings) -> None:
    rep = make_user(engine, "dana@acme.example")
    contact_id = add_contact(engine, rep.id)
    payload = {"contact_id": contact_id, "subject": "Next steps", "body": "Hi Marco, see you Tuesday.",
               "invite_at": "2026-03-10T15:00:00-05:00"}
    with smtp_server() as (mailbox, port):
        settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", port
        first = client.post("/api/send", headers=rep.headers, json=payload)
        again = client.post("/api/send", headers=rep.headers, json=payload)
    assert first.status_code == 200 and first.json()["status"] == "sent"
    assert again.status_code == 409 and "already sent" in again.json()["reason"]
    assert len(mailbox.received) == 1
    [entry] = client.get(f"/api/outbound?contact_id={contact_id}", headers=rep.headers).json()
    assert entry["status"] == "sent" and entry["invite_at"].startswith("2026-03-10T20:00")
    assert len(client.get("/api/outbound", headers=rep.headers).json()) == 1
    # The sent email counts as a touch: it is numbered and the next touch is planned.
    touches = client.get(f"/api/contacts/{contact_id}/touches", headers=rep.headers).json()
    assert [(t["channel"], t["outcome"], t["label"]) for t in touches] == [("email", "email-sent", "FTC #1")]
