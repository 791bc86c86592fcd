"""The mailbox page in a real browser: a rep tests and connects their own mailbox on a real IMAP server
(dovecot), sees it connected, and disconnects it; axe on the page."""

from __future__ import annotations

import pytest

from ember.db import unit_of_work
from ember.inbox import secrets
from ember.models import Mailbox
from ember.settings import Settings
from tests.browser_support import log_in, serious_axe_violations
from tests.desk_support import PASSWORD
from tests.factories import make_user
from tests.inbox.conftest import Account

pytestmark = pytest.mark.browser
KEY = secrets.new_key()


@pytest.fixture
def settings(settings: Settings, imap_server) -> Settings:  # type: ignore[no-untyped-def]
    """The app under test holds the inbox key and trusts the test server's certificate."""
    return settings.model_copy(update={"inbox_key": KEY, "inbox_ca_file": str(imap_server.ca_file),
                                       "inbox_timeout_s": 10.0})


def _mailboxes(engine) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return session.query(Mailbox).count()


def test_a_rep_connects_and_disconnects_their_mailbox(page, server_url, engine, mail_account: Account) -> None:  # type: ignore[no-untyped-def]
    make_user(engine, mail_account.username, password=PASSWORD)
    log_in(page, server_url, mail_account.username, PASSWORD)
    page.goto(f"{server_url}/settings/alerts")
    page.click(".desk-nav >> text=Mailbox")
    page.wait_for_selector("#connect-mailbox")

    page.fill("input[name=host]", mail_account.server.host)
    page.fill("input[name=port]", str(mail_account.server.port))
    page.fill("input[name=user]", mail_account.username)
    page.fill("input[name=password]", "wrong-password")
    page.click("button[value=connect]")
    page.wait_for_selector("#error-password")
    assert _mailboxes(engine) == 0
    assert page.input_value("input[name=password]") == ""  # never sent back

    page.fill("input[name=password]", mail_account.password)
    page.click("button[value=test]")
    page.wait_for_selector("#test-result")
    assert _mailboxes(engine) == 0
    page.fill("input[name=password]", mail_account.password)
    page.click("button[value=connect]")
    page.wait_for_selector("#connected")
    assert mail_account.username in (page.text_content("#connected") or "")
    assert mail_account.password not in page.content() and _mailboxes(engine) == 1
    assert serious_axe_violations(page) == []

    page.click("#connected button.danger")
    page.wait_for_selector("text=Mailbox disconnected")
    assert _mailboxes(engine) == 0
