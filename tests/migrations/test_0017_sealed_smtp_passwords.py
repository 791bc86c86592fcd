"""Revision 0017: a mail server password stored readable before is sealed with EMBER_INBOX_KEY."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from ember import secretbox
from ember.db import unit_of_work
from ember.models import TeamSetting
from ember.settings import get_settings
from tests.migrations.support import revision, run_step

KEY = secretbox.new_key()
SECRET = "hunter2-very-secret"
MIGRATION = revision("0017_sealed_smtp_passwords")


def _stored(engine: Engine, name: str) -> str:
    with unit_of_work(engine) as session:
        return session.query(TeamSetting).filter_by(scope="*", name=name).one().value


@pytest.mark.db
def test_the_migration_seals_a_password_stored_readable(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO team_settings (scope, name, value, updated_at) VALUES "
                                "('*', 'smtp_password', :secret, :now), ('*', 'smtp_host', 'mail.example', :now)"),
                           {"secret": SECRET, "now": datetime.now(UTC)})
    monkeypatch.setenv("EMBER_INBOX_KEY", KEY)
    get_settings.cache_clear()
    try:
        run_step(engine, MIGRATION.upgrade)  # the revision's own code, on the real database
    finally:
        get_settings.cache_clear()
    stored = _stored(engine, "smtp_password")
    assert stored.startswith("fernet:") and secretbox.unseal(KEY, stored) == SECRET
    assert _stored(engine, "smtp_host") == "mail.example"
