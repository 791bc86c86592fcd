"""The mailbox page: a rep connects their own mailbox against a real IMAP server (dovecot), tests it, sees the
last read and its result, disconnects; the password is stored encrypted and never shown again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ember.app import create_app
from ember.db import unit_of_work
from ember.inbox import secrets
from ember.inbox.sync import sync_mailbox
from ember.models import Mailbox
from ember.settings import Settings
from tests.desk_support import PASSWORD, Desk
from tests.factories import make_user
from tests.inbox.conftest import Account

KEY = secrets.new_key()


@pytest.fixture
def inbox_settings(settings: Settings, imap_server) -> Settings:  # type: ignore[no-untyped-def]
    return settings.model_copy(update={"inbox_key": KEY, "inbox_ca_file": str(imap_server.ca_file),
                                       "inbox_timeout_s": 10.0})


def _form(account: Account, **changes: str) -> dict[str, str]:
    return {"host": account.server.host, "port": str(account.server.port), "security": "ssl",
            "user": account.username, "password": account.password, "sent_folder": "", **changes}


def _mailboxes(engine: Engine) -> list[Mailbox]:
    with unit_of_work(engine) as session:
        rows = session.query(Mailbox).all()
        session.expunge_all()
        return rows


def test_a_rep_tests_connects_sees_the_last_read_and_disconnects(inbox_settings, engine, mail_account) -> None:
    make_user(engine, mail_account.username, password=PASSWORD)
    with TestClient(create_app(inbox_settings, engine)) as client:
        desk = Desk(client, mail_account.username)
        page = desk.get("/settings/mailbox")
        assert page.status_code == 200 and "Connect your mailbox" in page.text and 'id="no-key"' not in page.text

        tested = desk.post("/settings/mailbox", {**_form(mail_account), "action": "test"})
        assert tested.status_code == 200 and "The server accepted the login" in tested.text
        assert mail_account.password not in tested.text and _mailboxes(engine) == []  # a test stores nothing

        wrong = desk.post("/settings/mailbox", _form(mail_account, password="not-the-password"))
        assert wrong.status_code == 422 and 'id="error-password"' in wrong.text and _mailboxes(engine) == []
        assert "not-the-password" not in wrong.text
        bad = desk.post("/settings/mailbox", _form(mail_account, host="", port="imap"))
        assert bad.status_code == 422 and 'id="error-port"' in bad.text

        connected = desk.post("/settings/mailbox", _form(mail_account), follow_redirects=True)
        assert "connected" in connected.text and 'id="connected"' in connected.text
        assert mail_account.password not in connected.text
        [stored] = _mailboxes(engine)
        assert mail_account.password not in stored.secret
        assert secrets.decrypt(KEY, stored.secret) == mail_account.password
        assert "waiting for the first read" in connected.text

        sync_mailbox(engine, inbox_settings, stored.id, now=datetime.now(UTC))
        read = desk.get("/settings/mailbox").text
        assert ">read<" in read and "not yet" not in read

        mail_account.change_password("app-password-2")  # the server now refuses the stored one
        sync_mailbox(engine, inbox_settings, stored.id, now=datetime.now(UTC))
        failed = desk.get("/settings/mailbox").text
        assert ">failed<" in failed

        gone = desk.post("/settings/mailbox/disconnect", follow_redirects=True)
        assert "Mailbox disconnected" in gone.text and _mailboxes(engine) == []


def test_without_the_inbox_key_the_page_says_so_and_stores_nothing(settings, engine, mail_account) -> None:
    make_user(engine, mail_account.username, password=PASSWORD)
    keyless = settings.model_copy(update={"inbox_key": None})
    with TestClient(create_app(keyless, engine)) as client:
        desk = Desk(client, mail_account.username)
        assert 'id="no-key"' in desk.get("/settings/mailbox").text
        refused = desk.post("/settings/mailbox", _form(mail_account))
        assert refused.status_code == 422 and "EMBER_INBOX_KEY" in refused.text
        assert 'id="error-password"' in refused.text and _mailboxes(engine) == []


def test_each_person_sees_only_their_own_mailbox_section(client, engine) -> None:
    make_user(engine, "sam@ember.example", role="rep", team="East", password=PASSWORD)
    nav = Desk(client, "sam@ember.example").get("/settings/alerts").text
    assert ">Mailbox</a>" in nav and ">People</a>" not in nav
