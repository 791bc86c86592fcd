"""One typed settings object, read from ``EMBER_*`` environment variables.

Every field here is documented in docs/configuration.md; a test fails when one
is not, so a new setting cannot ship undocumented.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(user_data_dir("ember", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EMBER_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    secure_cookies: bool | None = None  # None: decided from the listening address (see docs/configuration.md)
    session_max_age_s: int = 7 * 24 * 3600
    session_idle_timeout_s: int = 8 * 3600
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_window_s: int = 15 * 60
    login_lockout_s: int = 15 * 60
    max_request_bytes: int = 5 * 1024 * 1024
    events_max_bytes: int = 1024 * 1024
    events_keep_days: int = Field(365, ge=0)  # 0 keeps events for ever
    user: str | None = None
    # Background work and alerts (see docs/configuration.md).
    queue_name: str = "ember"
    public_url: str | None = None
    alert_allowed_hosts: str = ""
    alert_streams_per_user: int = 5

    # Cadence: when and how often to follow up (see docs/configuration.md).
    call_windows: str = "wed 16:00-17:00 1; thu 16:00-17:00 2; fri 16:00-17:00 2"
    qualifying_windows: str = (
        "mon 08:00-09:00 2; tue 08:00-09:00 2; wed 08:00-09:00 2; thu 08:00-09:00 2; fri 08:00-09:00 2"
    )
    working_hours: str = "08:00-18:00"
    email_hour: str = "09:00"
    skip_public_holidays: bool = True
    holidays_country: str = ""  # whose public holidays count for a contact with no country ("" = none)
    ftc_spacing_days: str = "1,2,3,5,7"
    follow_up_spacing_days: str = "2,3,5,7,7"
    follow_ups_before_stalled: int = 5
    ftc_attempts_before_pause: int = 10
    not_now_default_days: int = 30
    nudge_after_days: int = 14
    # The Today worklist (see docs/configuration.md).
    company_name: str = ""
    stale_overdue_days: int = 7
    next_step_default_days: int = 7

    # Call analysis: benchmark and measurement thresholds to override ("name=value, ...").
    analysis_thresholds: str = ""
    # Team numbers: how much history before the team's own benchmarks replace the published ones.
    team_min_closed_deals: int = 40
    team_min_window_calls: int = 400
    team_min_calls_per_window: int = 25

    # Largest transcript file accepted (CLI, API and uploads), checked before it is read.
    max_transcript_bytes: int = 20 * 1024 * 1024
    # Largest call recording accepted by upload (a 60-minute stereo WAV at 16 kHz is about 230 MB).
    max_recording_bytes: int = 512 * 1024 * 1024

    # Sending follow-up emails by SMTP (see docs/configuration.md).
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_tls: Literal["none", "starttls", "ssl"] = "none"
    smtp_user: str | None = None
    smtp_password: str | None = None
    mail_from: str | None = None
    smtp_timeout_s: float = 30.0
    send_max_attempts: int = 5
    send_retry_base_s: int = 60

    # Inbox sync: reps' mailboxes read by IMAP (see docs/configuration.md and docs/inbox.md).
    inbox_key: str | None = None  # Fernet key that encrypts mailbox passwords and tokens
    inbox_ca_file: str | None = None  # extra CA bundle for a mail server with an internal certificate
    inbox_sync_minutes: int = 5
    inbox_backfill_days: int = 30
    inbox_timeout_s: float = 30.0
    inbox_batch: int = 500
    inbox_idle: bool = True  # hold IMAP IDLE on each inbox in the worker, so new mail is read at once

    # Dialer call events (see docs/configuration.md and docs/dialer.md).
    dialer_twilio_auth_token: str | None = None
    dialer_aircall_token: str | None = None
    dialer_webhook_secret: str | None = None  # whsec_... for the generic, Standard Webhooks-signed shape
    dialer_conversation_s: int = 30
    dialer_region: str = "US"

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
            import secrets

            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
