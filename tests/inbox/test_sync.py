"""Inbox sync against a real IMAP server (dovecot): replies, away messages, bounces, removal requests,
mail the rep sent from their own program, strangers, a crash mid-sync and a failing server."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, make_msgid

import pytest
from sqlalchemy import Engine, func, select

from ember.db import unit_of_work
from ember.errors import InvalidInput
from ember.inbox import secrets, service
from ember.inbox.sync import sync_mailbox
from ember.inbox.watch import watch_mailbox
from ember.models import Contact, InboundMail, Mailbox, MailboxFolder, OutboundMessage, PlannedTouch, Touch, User
from ember.settings import Settings
from ember.today.service import queue_for
from ember.touches.service import log_touch
from ember.users.access import Actor
from tests.compose_support import add_contact
from tests.factories import make_user
from tests.inbox.conftest import Account

KEY = secrets.new_key()


@pytest.fixture
def inbox_settings(settings: Settings, imap_server) -> Settings:  # type: ignore[no-untyped-def]
    return settings.model_copy(update={"inbox_key": KEY, "inbox_ca_file": str(imap_server.ca_file),
                                       "inbox_timeout_s": 10.0})


@pytest.fixture
def rep(engine: Engine, mail_account: Account) -> Actor:
    make_user(engine, mail_account.username, timezone="America/Chicago")
    with unit_of_work(engine) as session:
        user = session.scalar(select(User).where(User.email == mail_account.username))
        assert user is not None
        return Actor.of(user)


def _connect(engine: Engine, rep: Actor, account: Account, settings: Settings) -> int:
    with unit_of_work(engine) as session:
        service.connect_mailbox(session, rep, host=account.server.host, port=account.server.port,
                                username=account.username, secret=account.password, key=settings.inbox.inbox_key,
                                ca_file=settings.inbox.inbox_ca_file, timeout=10)
        return service.mailbox_id_of(session, rep)


def _contact(engine: Engine, rep: Actor, email: str = "marco@harbor.example") -> int:
    contact_id = add_contact(engine, rep.id, email=email)
    with unit_of_work(engine) as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        contact.phone, contact.phone_key = "+1 312 555 0199", "+13125550199"
        # A first call attempt: the contact now has a planned next touch.
        log_touch(session, rep, contact_id=contact_id, channel="call", outcome="no-answer",
                  settings=Settings().cadence.planning(), occurred_at=datetime.now(UTC) - timedelta(days=2),
                  confirm_date=True)
    return contact_id


def _sent_by_ember(engine: Engine, rep: Actor, contact_id: int) -> str:
    message_id = make_msgid(domain="acme.example")
    with unit_of_work(engine) as session:
        session.add(OutboundMessage(idempotency_key=message_id, contact_id=contact_id, rep_id=rep.id,
                                    subject="Pricing for Harbor", body_text="Hi Marco", message_id=message_id,
                                    status="sent", attempts=1, sent_at=datetime.now(UTC) - timedelta(days=1)))
    return message_id


def _email(sender: str, to: str, subject: str, body: str, *, headers: str = "", in_reply_to: str | None = None,
           when: datetime | None = None) -> str:
    refs = f"In-Reply-To: {in_reply_to}\nReferences: {in_reply_to}\n" if in_reply_to else ""
    return (f"From: {sender}\nTo: {to}\nSubject: {subject}\nDate: {format_datetime(when or datetime.now(UTC))}\n"
            f"Message-ID: {make_msgid(domain='mail.example')}\n{refs}{headers}"
            f"Content-Type: text/plain; charset=utf-8\n\n{body}\n")


def _touches(engine: Engine, contact_id: int) -> list[tuple[str, str]]:
    with unit_of_work(engine) as session:
        return [(t.channel, t.outcome) for t in session.scalars(
            select(Touch).where(Touch.contact_id == contact_id).order_by(Touch.occurred_at, Touch.id))]


def _open_plans(engine: Engine, contact_id: int) -> list[PlannedTouch]:
    with unit_of_work(engine) as session:
        return list(session.scalars(select(PlannedTouch).where(PlannedTouch.contact_id == contact_id,
                                                               PlannedTouch.status == "planned")))


def test_a_reply_pauses_the_follow_ups_and_tops_today_within_one_sync(engine, rep, mail_account, inbox_settings):
    contact_id = _contact(engine, rep)
    assert [p.kind for p in _open_plans(engine, contact_id)] == ["ftc"]
    ours = _sent_by_ember(engine, rep, contact_id)
    mailbox_id = _connect(engine, rep, mail_account, inbox_settings)
    mail_account.deliver(_email("Marco Ruiz <Marco@Harbor.example>", mail_account.username, "Re: Pricing for Harbor",
                                "Thanks Dana, Thursday works.\nCan you send the contract draft?\n\n"
                                "On Tue, Dana wrote:\n> Hi Marco", in_reply_to=ours))

    report = sync_mailbox(engine, inbox_settings, mailbox_id)

    assert report.error is None and report.recorded == ["reply"]
    assert _touches(engine, contact_id)[-1] == ("email", "email-replied")
    plans = [p for p in _open_plans(engine, contact_id) if p.kind != "multithread"]  # the deal's own reminder
    assert [(p.kind, p.purpose) for p in plans] == [("reply", "replied: read and answer")]
    with unit_of_work(engine) as session:
        first = queue_for(session, rep)[0]
        mail = session.scalar(select(InboundMail))
        assert mail is not None and mail.outbound_message_id is not None
    assert first.kind == "replied" and first.contact_id == contact_id
    assert "Thursday works" in first.reason and "contract draft" in first.reason and "Hi Marco" not in first.reason
    # Nothing twice: a second sync finds nothing new.
    assert sync_mailbox(engine, inbox_settings, mailbox_id).recorded == []
    # The rep answers: the reply leaves Today and planning resumes.
    with unit_of_work(engine) as session:
        log_touch(session, rep, contact_id=contact_id, channel="email", outcome="email-sent",
                  settings=inbox_settings.cadence.planning())
    assert [p.kind for p in _open_plans(engine, contact_id) if p.kind != "multithread"] == ["follow_up"]


def test_an_away_message_moves_the_next_touch_after_the_return_date(engine, rep, mail_account, inbox_settings):
    contact_id = _contact(engine, rep)
    back = (datetime.now(UTC) + timedelta(days=20)).date()
    mailbox_id = _connect(engine, rep, mail_account, inbox_settings)
    mail_account.deliver(_email("marco@harbor.example", mail_account.username, "Automatic reply: Pricing",
                                f"I am out of the office and back on {back:%A %d %B %Y}. For urgent matters call Ana.",
                                headers="Auto-Submitted: auto-replied\n"))

    report = sync_mailbox(engine, inbox_settings, mailbox_id)

    assert report.recorded == ["out_of_office"]
    [plan] = _open_plans(engine, contact_id)
    assert plan.due_at.astimezone(UTC).date() >= back and "away until" in plan.reason
    assert _touches(engine, contact_id) == [("call", "no-answer")]  # an away message is not an answer
    with unit_of_work(engine) as session:
        mail = session.scalar(select(InboundMail))
        assert mail is not None and "Auto-Submitted: auto-replied" in mail.reason and mail.return_at is not None


def _dsn(rep_address: str, failed: str, original_id: str, action: str, status: str, diagnostic: str) -> str:
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>
To: {rep_address}
Subject: Undelivered Mail Returned to Sender
Date: {format_datetime(datetime.now(UTC))}
Message-ID: {make_msgid(domain='mx.acme.example')}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.example
Arrival-Date: {format_datetime(datetime.now(UTC))}

Final-Recipient: rfc822; {failed}
Original-Recipient: rfc822;{failed}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--B1
Content-Type: text/rfc822-headers

From: Dana <{rep_address}>
To: {failed}
Subject: Pricing for Harbor
Message-ID: {original_id}

--B1--
"""


def test_a_hard_bounce_marks_the_address_bad_and_the_next_touch_is_a_call(engine, rep, mail_account, inbox_settings):
    contact_id = _contact(engine, rep)
    ours = _sent_by_ember(engine, rep, contact_id)
    mailbox_id = _connect(engine, rep, mail_account, inbox_settings)
    mail_account.deliver(_dsn(mail_account.username, "marco@harbor.example", ours, "failed", "5.1.1",
                              "550 5.1.1 <marco@harbor.example>: Recipient address rejected: User unknown"))

    report = sync_mailbox(engine, inbox_settings, mailbox_id)

    assert report.recorded == ["bounce_hard"]
    assert _touches(engine, contact_id)[-1] == ("email", "email-bounced")
    [plan] = _open_plans(engine, contact_id)
    assert plan.channel == "call"
    with unit_of_work(engine) as session:
        mail = session.scalar(select(InboundMail))
        assert mail is not None and "5.1.1" in mail.reason and "RFC 3464" in mail.reason


def test_a_soft_bounce_puts_the_email_back_in_the_retry_queue(engine, rep, mail_account, inbox_settings):
    contact_id = _contact(engine, rep)
    ours = _sent_by_ember(engine, rep, contact_id)
    mailbox_id = _connect(engine, rep, mail_account, inbox_settings)
    mail_account.deliver(_dsn(mail_account.username, "marco@harbor.example", ours, "delayed", "4.2.2",
                              "452 4.2.2 Mailbox full"))

    assert sync_mailbox(engine, inbox_settings, mailbox_id).recorded == ["bounce_soft"]
    with unit_of_work(engine) as session:
        message = session.scalar(select(OutboundMessage))
        assert message is not None and message.status == "failed" and message.next_attempt_at is not None
        assert "4.2.2" in (message.last_error or "")
    assert _touches(engine, contact_id) == [("call", "no-answer")]


def test_a_removal_request_in_free_text_waits_for_the_reps_confirmation(engine, rep, mail_account, inbox_settings):
    contact_id = _contact(engine, rep)
    mailbox_id = _connect(engine, rep, mail_account, inbox_settings)
    mail_account.deliver(_email("marco@harbor.example", mail_account.username, "Re: Pricing",
                                "Not for us. Please take me off your list."))

    assert sync_mailbox(engine, inbox_settings, mailbox_id).recorded == ["unsubscribe"]
    with unit_of_work(engine) as session:
        contact = session.get(Contact, contact_id)
        [mail] = service.recent_mail(session, rep, to_confirm=True)
        assert contact is not None and not contact.do_not_email
        assert "take me off" in mail.reason
        assert queue_for(session, rep)[0].purpose.startswith("asked to stop emails")
        service.confirm_removal(session, rep, mail.id, stop=True, cadence=inbox_settings.cadence.planning())
    with unit_of_work(engine) as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None and contact.do_not_email
        assert session.get(InboundMail, mail.id).status == "confirmed"  # type: ignore[union-attr]


def test_strangers_are_left_alone_and_mail_the_rep_sent_is_logged(engine, rep, mail_account, inbox_settings):
    contact_id = _contact(engine, rep)
    ours = _sent_by_ember(engine, rep, contact_id)
    mailbox_id = _connect(engine, rep, mail_account, inbox_settings)
    mail_account.deliver(_email("newsletter@vendor.example", mail_account.username, "Our spring sale", "Buy now"))
    mail_account.deliver(_email(mail_account.username, "Marco <marco@harbor.example>", "Quick question",
                                "Hi Marco, one more thing."), folder="Sent")
    sent_by_ember = _email(mail_account.username, "marco@harbor.example", "Pricing for Harbor", "Hi Marco")
    mail_account.deliver(sent_by_ember.replace("Message-ID: <", f"Message-ID: {ours}\nX-Old: <", 1), folder="Sent")

    report = sync_mailbox(engine, inbox_settings, mailbox_id)

    assert report.read == 3 and report.recorded == ["sent"]
    assert _touches(engine, contact_id)[-1] == ("email", "email-sent")
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(InboundMail)) == 1
        cursors = {f.folder: f.last_uid for f in session.scalars(select(MailboxFolder))}
    assert cursors == {"INBOX": 1, "Sent": 2}


def test_several_messages_of_one_contact_in_a_sync_plan_it_once_from_the_last(engine, rep, mail_account,
                                                                              inbox_settings):
    contact_id = _contact(engine, rep)
    mailbox_id = _connect(engine, rep, mail_account, inbox_settings)
    for subject in ("Quick question", "One more thing"):
        mail_account.deliver(_email(mail_account.username, "Marco <marco@harbor.example>", subject, "Hi Marco"),
                             folder="Sent")

    report = sync_mailbox(engine, inbox_settings, mailbox_id)

    assert report.recorded == ["sent", "sent"]
    assert _touches(engine, contact_id)[-2:] == [("email", "email-sent"), ("email", "email-sent")]
    with unit_of_work(engine) as session:
        last_touch = session.scalar(select(func.max(Touch.id)).where(Touch.contact_id == contact_id))
    plans = [p for p in _open_plans(engine, contact_id) if p.kind != "multithread"]
    assert len(plans) == 1 and plans[0].caused_by_touch_id == last_touch  # planned after both, once



def test_a_crash_mid_sync_resumes_where_it_stopped_and_does_nothing_twice(engine, rep, mail_account, inbox_settings):
    contacts = [_contact(engine, rep, email=f"buyer{i}@harbor{i}.example") for i in range(3)]
    mailbox_id = _connect(engine, rep, mail_account, inbox_settings)
    for i in range(3):
        mail_account.deliver(_email(f"buyer{i}@harbor{i}.example", mail_account.username, "Re: hello",
                                    f"Sounds good, number {i}."))

    def crash(uid: int) -> None:
        if uid == 2:
            raise KeyboardInterrupt("worker killed")

    with pytest.raises(KeyboardInterrupt):
        sync_mailbox(engine, inbox_settings, mailbox_id, after_each=crash)
    # The batch is one transaction: killed part-way, none of it is kept and the cursor stays before it.
    assert [len(_touches(engine, c)) for c in contacts] == [1, 1, 1]

    report = sync_mailbox(engine, inbox_settings, mailbox_id)

    assert report.recorded == ["reply", "reply", "reply"]
    assert [_touches(engine, c).count(("email", "email-replied")) for c in contacts] == [1, 1, 1]


def test_a_long_read_fetches_headers_ahead_and_still_does_each_message_once(engine, rep, mail_account,
                                                                           inbox_settings):
    # One message a batch: enough batches that the headers are read ahead on a second connection.
    settings = inbox_settings.model_copy(update={"inbox_batch": 1})
    contacts = [_contact(engine, rep, email=f"buyer{i}@harbor{i}.example") for i in range(5)]
    mailbox_id = _connect(engine, rep, mail_account, settings)
    for i in range(5):
        mail_account.deliver(_email(f"buyer{i}@harbor{i}.example", mail_account.username, "Re: hello", "Sounds good."))
    for i in range(3):
        mail_account.deliver(_email(f"news{i}@vendor.example", mail_account.username, "Weekly digest", "Read more."))
    threads = threading.active_count()

    def crash(uid: int) -> None:
        if uid == 3:
            raise KeyboardInterrupt("worker killed")

    with pytest.raises(KeyboardInterrupt):
        sync_mailbox(engine, settings, mailbox_id, after_each=crash)
    assert threading.active_count() == threads  # the reader stopped with the sync
    assert [_touches(engine, c).count(("email", "email-replied")) for c in contacts] == [1, 1, 0, 0, 0]

    report = sync_mailbox(engine, settings, mailbox_id)

    assert report.error is None and report.read == 6 and report.recorded == ["reply", "reply", "reply"]
    assert [_touches(engine, c).count(("email", "email-replied")) for c in contacts] == [1, 1, 1, 1, 1]
    with unit_of_work(engine) as session:
        cursor = session.scalar(select(MailboxFolder).where(MailboxFolder.mailbox_id == mailbox_id,
                                                            MailboxFolder.folder == "INBOX"))
        assert cursor is not None and cursor.last_uid == 8


def test_a_failing_mailbox_shows_the_servers_error(engine, rep, mail_account, inbox_settings, ember):
    mailbox_id = _connect(engine, rep, mail_account, inbox_settings)
    mail_account.change_password("changed-by-it-department")

    report = sync_mailbox(engine, inbox_settings, mailbox_id)

    assert report.error is not None and "refused the login" in report.error
    with unit_of_work(engine) as session:
        mailbox = session.get(Mailbox, mailbox_id)
        assert mailbox is not None and mailbox.status == "failed"
        assert "AUTHENTICATIONFAILED" in (mailbox.last_error or "") or "Authentication failed" in (
            mailbox.last_error or "")
    result = ember("inbox", "status", "--as", rep.email)
    assert "failed" in result.output and "refused the login" in result.output


def test_connecting_checks_the_details_with_the_server_and_keeps_the_password_encrypted(
        engine, rep, mail_account, inbox_settings, ember, tmp_path, monkeypatch):
    with unit_of_work(engine) as session, pytest.raises(InvalidInput) as refused:
        service.connect_mailbox(session, rep, host=mail_account.server.host, port=mail_account.server.port,
                                username=mail_account.username, secret="wrong", key=KEY,
                                ca_file=str(mail_account.server.ca_file), timeout=10)
    assert "did not accept" in refused.value.message
    with unit_of_work(engine) as session, pytest.raises(InvalidInput) as plain:
        service.connect_mailbox(session, rep, host="imap.example", port=143, security="none",
                                username=rep.email, secret="x", key=KEY)
    assert "never travels in clear" in str(plain.value.problems)

    secret_file = tmp_path / "password.txt"
    secret_file.write_text(mail_account.password + "\n")
    monkeypatch.setenv("EMBER_INBOX_KEY", KEY)
    monkeypatch.setenv("EMBER_INBOX_CA_FILE", str(mail_account.server.ca_file))
    result = ember("inbox", "connect", "--as", rep.email, "--host", mail_account.server.host, "--port",
                   str(mail_account.server.port), "--user", mail_account.username, "--password-file",
                   str(secret_file))
    assert result.exit_code == 0, result.output
    assert "Connected" in result.output and "Sent" in result.output
    status = ember("inbox", "status", "--as", rep.email, "--json")
    assert mail_account.password not in result.output + status.output and '"status": "new"' in status.output
    with unit_of_work(engine) as session:
        stored = session.scalar(select(Mailbox.secret))
    assert stored is not None and mail_account.password not in stored
    assert secrets.decrypt(KEY, stored) == mail_account.password


def test_new_mail_is_read_at_once_where_the_server_supports_idle(engine, rep, mail_account, inbox_settings):
    contact_id = _contact(engine, rep)
    mailbox_id = _connect(engine, rep, mail_account, inbox_settings)
    sync_mailbox(engine, inbox_settings, mailbox_id)  # the schedule's first read: nothing yet

    def reply_while_watched() -> None:
        time.sleep(2.5)  # the watcher is waiting on the server, or is about to (then it reads on opening)
        mail_account.deliver(_email("marco@harbor.example", mail_account.username, "Re: hello", "Yes, call me."))

    watcher = _watch_until_replied(engine, inbox_settings, mailbox_id, contact_id, reply_while_watched)
    assert ("email", "email-replied") in _touches(engine, contact_id)
    assert not watcher.is_alive()


def test_mail_that_came_before_the_watcher_opened_the_inbox_is_read_at_once(
        engine, rep, mail_account, inbox_settings):
    # IDLE announces only what arrives after the folder is open; a reply that came between the
    # schedule's read and the watcher's start must not wait for the next scheduled read.
    contact_id = _contact(engine, rep)
    mailbox_id = _connect(engine, rep, mail_account, inbox_settings)
    sync_mailbox(engine, inbox_settings, mailbox_id)
    mail_account.deliver(_email("marco@harbor.example", mail_account.username, "Re: hello", "Yes, call me."))
    _watch_until_replied(engine, inbox_settings, mailbox_id, contact_id, lambda: None)
    assert ("email", "email-replied") in _touches(engine, contact_id)


def _watch_until_replied(engine, settings, mailbox_id: int, contact_id: int,  # type: ignore[no-untyped-def]
                         meanwhile: Callable[[], None]) -> threading.Thread:
    """Run the IDLE watcher, do ``meanwhile``, and wait (60 s at most: a loaded machine; a pass ends
    the wait at once) until the contact's reply is logged; the watcher is stopped before returning."""
    stop = threading.Event()
    watcher = threading.Thread(target=watch_mailbox, args=(engine, settings, mailbox_id, stop),
                               kwargs={"idle_s": 2.0}, daemon=True)
    watcher.start()
    try:
        meanwhile()
        deadline = time.monotonic() + 60
        while ("email", "email-replied") not in _touches(engine, contact_id) and time.monotonic() < deadline:
            time.sleep(0.3)
    finally:
        stop.set()
        watcher.join(timeout=10)
    return watcher
