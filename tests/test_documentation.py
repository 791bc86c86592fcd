"""Settings and commands that are not documented do not ship."""

from __future__ import annotations

import re
from pathlib import Path

from ember.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`(EMBER_[A-Z0-9_]+)`", (ROOT / "docs" / "configuration.md").read_text()))
    defined = set(Settings.env_names())
    assert defined - documented == set(), "document these in docs/configuration.md"
    assert documented - defined == set(), "these are documented but do not exist"


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
