"""One Settings object of per-domain sections, read from flat EMBER_* names."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from ember.settings import Settings
from ember.settings.cadence import CadenceSettings, CallWindow, parse_windows


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path, secret_key="settings-test-" * 3, **values)  # type: ignore[arg-type]


def test_flat_environment_names_land_in_their_sections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBER_STALE_OVERDUE_DAYS", "3")
    monkeypatch.setenv("EMBER_SMTP_HOST", "mail.example")
    settings = _settings(tmp_path, smtp_port=2525)  # a flat keyword works as the variable does
    assert settings.today.stale_overdue_days == 3
    assert (settings.mail.smtp_host, settings.mail.smtp_port) == ("mail.example", 2525)


def test_a_value_of_the_wrong_kind_names_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBER_STALE_OVERDUE_DAYS", "soon")
    with pytest.raises(ValidationError, match="stale_overdue_days"):
        _settings(tmp_path)


def test_windows_parse_from_settings_text() -> None:
    assert parse_windows("wed 16:00-17:00 1; Thursday 16:00-17:00 2, fri 8:00-9:00") == (
        CallWindow(2, time(16), time(17), 1), CallWindow(3, time(16), time(17), 2),
        CallWindow(4, time(8), time(9), 1))
    with pytest.raises(ValueError, match="not like"):
        CallWindow.parse("someday 4pm")
    with pytest.raises(ValueError, match="start before"):
        CallWindow(2, time(17), time(16))


def test_settings_refuse_what_cannot_work() -> None:
    with pytest.raises(ValueError, match="email_hour"):
        CadenceSettings(email_hour=time(19))
    with pytest.raises(ValueError, match="working_days"):
        CadenceSettings(working_days=frozenset())
    with pytest.raises(ValueError, match="follow_ups_before_stalled"):
        CadenceSettings(follow_ups_before_stalled=0)
    with pytest.raises(ValueError, match="ftc_spacing_days"):
        CadenceSettings(ftc_spacing_days=())
