"""Sending follow-up emails to a real local SMTP server: content, exactly-once, failures and retries."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import Engine, select

from ember.db import session_factory, unit_of_work
from ember.models import OutboundMessage, User
from ember.outbound import service
from ember.outbound.mail import SmtpConfig
from ember.outbound.rules import next_attempt
from ember.users.access import Actor
from tests.compose_support import add_contact, parts, smtp_server
from tests.factories import make_user

NOW = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
BODY = "Hi Marco,\n\nThanks for the call. The pricing sheet follows by Friday.\n\nDana"


@pytest.fixture
def rep(engine: Engine) -> Actor:
    make_user(engine, "dana@acme.example", timezone="Europe/Berlin")
    with unit_of_work(engine) as session:
        user = session.scalar(select(User).where(User.email == "dana@acme.example"))
        assert user is not None
        return Actor.of(user)


def _config(port: int) -> SmtpConfig:
    return SmtpConfig(host="127.0.0.1", port=port, tls="none", timeout_s=5, max_attempts=3, retry_base_s=60)


def _send(engine: Engine, rep: Actor, contact_id: int, port: int, **extra) -> service.SendResult:  # type: ignore[no-untyped-def]
    values = {"subject": "Our next steps", "body": BODY, "now": NOW} | extra
    with unit_of_work(engine) as session:
        return service.send(session, rep, contact_id=contact_id, smtp=_config(port), **values)


def _rows(engine: Engine) -> list[OutboundMessage]:
    with unit_of_work(engine) as session:
        return list(session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))


def test_the_email_has_text_html_a_message_id_and_an_invite_in_both_time_zones(engine, rep) -> None:
    contact_id = add_contact(engine, rep.id)
    meeting = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)  # 15:00 in Chicago, 21:00 in Berlin
    with smtp_server() as (mailbox, port):
        result = _send(engine, rep, contact_id, port, invite_at=meeting)
    assert result.status == "sent", result.reason
    [message] = mailbox.received
    assert message["Message-ID"] == result.message_id and result.message_id.endswith("@acme.example>")
    assert message["To"] == "Marco Ruiz <marco@harbor.example>" and "Dana" in message["From"]
    found = parts(message)
    assert "pricing sheet follows by Friday" in found["text/plain"]
    assert "<p>Thanks for the call. The pricing sheet follows by Friday.</p>" in found["text/html"]
    event = Calendar.from_ical(found["text/calendar"]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == meeting
    description = str(event.get("description"))
    assert "Your time: Tuesday 10 March 2026, 15:00 CDT (America/Chicago)" in description
    assert "Dana's time: Tuesday 10 March 2026, 21:00 CET (Europe/Berlin)" in description
    [row] = _rows(engine)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, NOW)


def test_sending_the_same_email_again_is_refused_with_the_reason(engine, rep) -> None:
    contact_id = add_contact(engine, rep.id)
    with smtp_server() as (mailbox, port):
        first = _send(engine, rep, contact_id, port)
        again = _send(engine, rep, contact_id, port, body=BODY + "\n")  # a textarea's trailing newline: same email
    assert first.status == "sent"
    assert again.status == "refused" and "already sent" in again.reason and first.message_id in again.reason
    assert len(mailbox.received) == 1 and len(_rows(engine)) == 1


def test_two_concurrent_senders_with_one_key_send_one_email(engine, rep) -> None:
    contact_id = add_contact(engine, rep.id)
    rounds = 3
    with smtp_server() as (mailbox, port):
        for round_ in range(rounds):
            gate = threading.Barrier(2)
            results: list[service.SendResult] = []

            def worker(round_: int = round_, gate: threading.Barrier = gate,
                       results: list[service.SendResult] = results) -> None:
                with session_factory(engine)() as session:  # each worker: its own session and connection
                    gate.wait()
                    result = service.send(session, rep, contact_id=contact_id, subject=f"Round {round_}",
                                          body=BODY, smtp=_config(port), idempotency_key=f"click-{round_}",
                                          now=NOW)
                    session.commit()
                    results.append(result)

            threads = [threading.Thread(target=worker) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            assert sorted(r.status for r in results) == ["refused", "sent"], results
    assert len(mailbox.received) == rounds
    assert [m["Subject"] for m in mailbox.received] == [f"Round {i}" for i in range(rounds)]


def test_a_failure_is_kept_with_backoff_and_retry_due_sends_it_later(engine, rep) -> None:
    contact_id = add_contact(engine, rep.id)
    with smtp_server() as (mailbox, port):
        mailbox.fail_with = "451 4.3.0 mailbox busy, try again later"
        result = _send(engine, rep, contact_id, port)
        assert result.status == "queued" and "451" in result.reason and "retries at" in result.reason
        [row] = _rows(engine)
        assert (row.status, row.attempts) == ("failed", 1)
        assert "mailbox busy" in (row.last_error or "") and row.next_attempt_at == NOW + timedelta(seconds=60)

        with unit_of_work(engine) as session:  # not due yet: nothing happens
            assert service.retry_due(session, NOW + timedelta(seconds=30), smtp=_config(port)) == []
        with unit_of_work(engine) as session:  # due, still failing: the pause doubles
            service.retry_due(session, NOW + timedelta(seconds=61), smtp=_config(port))
        [row] = _rows(engine)
        assert row.attempts == 2 and row.next_attempt_at == NOW + timedelta(seconds=61 + 120)

        mailbox.fail_with = None
        with unit_of_work(engine) as session:
            [retried] = service.retry_due(session, NOW + timedelta(seconds=200), smtp=_config(port))
        assert retried.status == "sent"
        with unit_of_work(engine) as session:  # nothing left to retry, nothing sent twice
            assert service.retry_due(session, NOW + timedelta(days=1), smtp=_config(port)) == []
    assert len(mailbox.received) == 1
    [row] = _rows(engine)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


def test_an_unreachable_server_is_a_failure_the_rep_can_see(engine, rep) -> None:
    contact_id = add_contact(engine, rep.id)
    with smtp_server() as (_, port):
        pass  # the server is gone: nothing listens on the port any more
    result = _send(engine, rep, contact_id, port)
    assert result.status == "queued"
    with unit_of_work(engine) as session:
        [entry] = service.history(session, rep, contact_id)
    assert entry["status"] == "failed" and entry["last_error"] and entry["next_attempt_at"]


def test_a_refused_recipient_is_not_retried(engine, rep) -> None:
    contact_id = add_contact(engine, rep.id)
    with smtp_server() as (mailbox, port):
        mailbox.fail_with = "550 5.1.1 no such user"
        result = _send(engine, rep, contact_id, port)
    assert result.status == "failed" and "550" in result.reason and "stopped retrying" in result.reason
    assert mailbox.received == []
    [row] = _rows(engine)
    assert row.status == "failed" and row.next_attempt_at is None


def test_backoff_doubles_and_gives_up() -> None:
    pauses = [next_attempt(n, NOW, base_s=60, max_attempts=5) for n in range(1, 6)]
    assert [p - NOW for p in pauses[:4] if p] == [timedelta(seconds=s) for s in (60, 120, 240, 480)]
    assert pauses[4] is None


def test_do_not_contact_gets_nothing_and_nurture_only_the_newsletter(engine, rep) -> None:
    blocked = add_contact(engine, rep.id, email="stop@harbor.example", status="do-not-contact", with_deal=False)
    nurture = add_contact(engine, rep.id, email="later@harbor.example", status="nurture", with_deal=False)
    with smtp_server() as (mailbox, port):
        refused = _send(engine, rep, blocked, port)
        refused_news = _send(engine, rep, blocked, port, kind="newsletter")
        follow_up = _send(engine, rep, nurture, port)
        newsletter = _send(engine, rep, nurture, port, kind="newsletter", subject="March newsletter")
    assert refused.status == refused_news.status == "refused" and "do-not-contact" in refused.reason
    assert follow_up.status == "refused" and "newsletter" in follow_up.reason
    assert newsletter.status == "sent"
    assert [m["Subject"] for m in mailbox.received] == ["March newsletter"]
    assert [r.kind for r in _rows(engine)] == ["newsletter"]


def test_unfilled_placeholders_are_refused(engine, rep) -> None:
    contact_id = add_contact(engine, rep.id)
    with smtp_server() as (mailbox, port):
        result = _send(engine, rep, contact_id, port, body="Hi Marco, about [[their main problem]].")
    assert result.status == "refused" and "[[their main problem]]" in result.reason
    assert mailbox.received == [] and _rows(engine) == []


def test_a_contact_who_said_no_since_is_not_retried(engine, rep) -> None:
    contact_id = add_contact(engine, rep.id)
    with smtp_server() as (mailbox, port):
        mailbox.fail_with = "451 later"
        _send(engine, rep, contact_id, port)
        with unit_of_work(engine) as session:
            from ember.models import Contact

            contact = session.get(Contact, contact_id)
            assert contact is not None
            contact.status = "do-not-contact"
        mailbox.fail_with = None
        with unit_of_work(engine) as session:
            [result] = service.retry_due(session, NOW + timedelta(hours=1), smtp=_config(port))
    assert result.status == "refused" and mailbox.received == []
    assert _rows(engine)[0].status == "refused"
