"""One typed settings object, composed of per-domain sections, read from ``EMBER_*`` variables.

``settings.cadence``, ``settings.mail``, ``settings.analysis``, ... each hold the
settings of one domain; the environment names stay flat (``EMBER_SMTP_HOST``).
Every name here is documented in docs/configuration.md; a test fails when one
is not, so a new setting cannot ship undocumented.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Self

from platformdirs import user_data_dir
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ember.settings.sections import (
    AlertsSection,
    AnalysisSection,
    CadenceSection,
    DialerSection,
    EventsSection,
    InboxSection,
    JobsSection,
    LoginSection,
    MailSection,
    ServerSection,
    TeamSection,
    TodaySection,
)


def default_data_dir() -> Path:
    return Path(user_data_dir("ember", appauthor=False))


SECTIONS: dict[str, type[BaseSettings]] = {
    "server": ServerSection,
    "login": LoginSection,
    "events": EventsSection,
    "jobs": JobsSection,
    "alerts": AlertsSection,
    "cadence": CadenceSection,
    "analysis": AnalysisSection,
    "mail": MailSection,
    "team": TeamSection,
    "inbox": InboxSection,
    "dialer": DialerSection,
    "today": TodaySection,
}
# Flat name -> its section, so ``Settings(smtp_host=...)`` keeps working.
_SECTION_OF = {name: section for section, cls in SECTIONS.items() for name in cls.model_fields}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EMBER_", extra="ignore")

    # The installation: where its data lives and what it connects to.
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str | None = None
    user: str | None = None

    server: ServerSection = Field(default_factory=ServerSection)
    login: LoginSection = Field(default_factory=LoginSection)
    events: EventsSection = Field(default_factory=EventsSection)
    jobs: JobsSection = Field(default_factory=JobsSection)
    alerts: AlertsSection = Field(default_factory=AlertsSection)
    cadence: CadenceSection = Field(default_factory=CadenceSection)
    analysis: AnalysisSection = Field(default_factory=AnalysisSection)
    mail: MailSection = Field(default_factory=MailSection)
    team: TeamSection = Field(default_factory=TeamSection)
    inbox: InboxSection = Field(default_factory=InboxSection)
    dialer: DialerSection = Field(default_factory=DialerSection)
    today: TodaySection = Field(default_factory=TodaySection)

    @model_validator(mode="before")
    @classmethod
    def _flat_names_to_sections(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        root, by_section = _split(data)
        for section, values in by_section.items():
            given = root.get(section)
            if isinstance(given, BaseSettings):
                root[section] = given.model_copy(update=values)
            else:
                root[section] = SECTIONS[section](**{**(given or {}), **values})
        return root

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with changes; flat names (``smtp_port``) change the field of their section."""
        root, by_section = _split(update or {})
        for section, values in by_section.items():
            root[section] = getattr(self, section).model_copy(update=values)
        return super().model_copy(update=root, deep=deep)

    @classmethod
    def env_names(cls) -> Iterator[str]:
        """Every ``EMBER_*`` variable read, sections included."""
        for name in cls.model_fields:
            section = SECTIONS.get(name)
            if section is not None:
                yield from (f"EMBER_{inner.upper()}" for inner in section.model_fields)
            else:
                yield f"EMBER_{name.upper()}"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'ember.db'}"

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def _split(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Root-level values, and flat section values grouped by their section."""
    root: dict[str, Any] = {}
    by_section: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        section = _SECTION_OF.get(name)
        if section is None:
            root[name] = value
        else:
            by_section.setdefault(section, {})[name] = value
    return root, by_section


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


__all__ = ["SECTIONS", "AlertsSection", "AnalysisSection", "CadenceSection", "DialerSection", "EventsSection",
           "InboxSection", "JobsSection", "LoginSection", "MailSection", "ServerSection", "Settings", "TeamSection",
           "TodaySection", "default_data_dir", "get_settings"]
