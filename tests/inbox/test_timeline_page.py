"""What inbox sync stores shows in the contact's one timeline: replies, away messages, bounces and mail
the rep sent, each with how it was read and its first lines; a reply is shown once, not also as a touch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from ember.db import unit_of_work
from ember.inbox.sync import sync_mailbox
from ember.models import User
from ember.settings import Settings
from ember.users.access import Actor
from tests.factories import make_user
from tests.inbox.conftest import Account
from tests.inbox.test_sync import KEY, _connect, _contact, _dsn, _email, _sent_by_ember
from tests.web.page_support import BROWSER, log_in


@pytest.fixture
def synced_settings(settings: Settings, imap_server) -> Settings:  # type: ignore[no-untyped-def]
    return settings.model_copy(update={"inbox_key": KEY, "inbox_ca_file": str(imap_server.ca_file),
                                       "inbox_timeout_s": 10.0})


def test_mail_of_every_kind_reads_in_the_contact_timeline(client, engine: Engine, mail_account: Account,
                                                           synced_settings: Settings) -> None:
    make_user(engine, mail_account.username, password="correct horse")
    with unit_of_work(engine) as session:
        user = session.scalar(select(User).where(User.email == mail_account.username))
        assert user is not None
        rep = Actor.of(user)
    contact_id = _contact(engine, rep)
    other = _contact(engine, rep, email="ana@harbor.example")
    ours = _sent_by_ember(engine, rep, contact_id)
    mailbox_id = _connect(engine, rep, mail_account, synced_settings)
    back = (datetime.now(UTC) + timedelta(days=20)).date()
    mail_account.deliver(_email("Marco Ruiz <marco@harbor.example>", mail_account.username, "Re: Pricing for Harbor",
                                "Thanks Dana, Thursday works.\nCan you send the contract draft?\n\n"
                                "On Tue, Dana wrote:\n> Hi Marco", in_reply_to=ours))
    mail_account.deliver(_email("marco@harbor.example", mail_account.username, "Automatic reply: Pricing",
                                f"I am out of the office and back on {back:%A %d %B %Y}.",
                                headers="Auto-Submitted: auto-replied\n"))
    mail_account.deliver(_email(mail_account.username, "Marco <marco@harbor.example>", "Quick question",
                                "Hi Marco, one more thing about the rollout."), folder="Sent")
    mail_account.deliver(_dsn(mail_account.username, "ana@harbor.example", _sent_by_ember(engine, rep, other),
                              "failed", "5.1.1", "550 5.1.1 <ana@harbor.example>: User unknown"))

    assert sorted(sync_mailbox(engine, synced_settings, mailbox_id).recorded) == [
        "bounce_hard", "out_of_office", "reply", "sent"]

    log_in(client, rep.email)
    page = client.get(f"/contacts/{contact_id}", headers=BROWSER).text
    timeline = page[page.index('id="timeline"'):]
    assert '<span class="badge mail reply">reply</span>' in timeline
    assert "Received: Re: Pricing for Harbor" in timeline and "Thursday works." in timeline
    assert "Hi Marco</span>" not in timeline  # the quoted conversation is not shown as their words
    assert "planned touches paused until you answer" in timeline  # what Ember made of it
    assert '<span class="badge mail out-of-office">out of office</span>' in timeline
    assert "Sent from your mailbox: Quick question" in timeline  # the sync reads only the headers of sent mail
    assert "Sent: Pricing for Harbor (sent)" in timeline  # sent through Ember
    assert "email: email replied" not in timeline  # the reply shows once, as the message
    bounced = client.get(f"/contacts/{other}", headers=BROWSER).text
    assert '<span class="badge mail bounced">bounced</span>' in bounced and "5.1.1" in bounced
