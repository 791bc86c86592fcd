"""The sections of the settings, one per domain, each read from flat ``EMBER_*`` names.

A section is its own ``BaseSettings`` with the ``EMBER_`` prefix, so the
environment names stay flat (``EMBER_SMTP_HOST``, not ``EMBER_MAIL__SMTP_HOST``)
while the code reads ``settings.mail.smtp_host``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ember.settings.cadence import CadenceSettings, build_cadence_settings

FLAT = SettingsConfigDict(env_prefix="EMBER_", extra="ignore")


class ServerSection(BaseSettings):
    """Where ``ember serve`` listens and what it accepts."""

    model_config = FLAT

    host: str = "127.0.0.1"
    port: int = 8000
    secure_cookies: bool | None = None  # None: decided from the listening address (see docs/configuration.md)
    max_request_bytes: int = 5 * 1024 * 1024
    public_url: str | None = None


class LoginSection(BaseSettings):
    """Web logins: how long they last and how wrong passwords are throttled."""

    model_config = FLAT

    session_max_age_s: int = 7 * 24 * 3600
    session_idle_timeout_s: int = 8 * 3600
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_window_s: int = 15 * 60
    login_lockout_s: int = 15 * 60


class EventsSection(BaseSettings):
    """Trigger events coming in."""

    model_config = FLAT

    events_max_bytes: int = 1024 * 1024
    events_keep_days: int = Field(365, ge=0)  # 0 keeps events for ever


class JobsSection(BaseSettings):
    """Background work."""

    model_config = FLAT

    queue_name: str = "ember"
    # How far below the rest of a worker its thread that writes out stored tracking batches runs
    # (nice steps, 0-19; Linux): on a machine shared with the web processes, taking requests in
    # and raising alerts come first. 0 runs it at the worker's own priority.
    batch_nice: int = Field(10, ge=0, le=19)


class AlertsSection(BaseSettings):
    """Alert notifications and live feeds."""

    model_config = FLAT

    alert_allowed_hosts: str = ""
    alert_streams_per_user: int = 5


class CadenceSection(BaseSettings):
    """When and how often to follow up, as written in the environment."""

    model_config = FLAT

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

    def planning(self) -> CadenceSettings:
        """The parsed planning settings (parsed once per distinct set of values)."""
        return build_cadence_settings(tuple(self.model_dump().items()))


class TodaySection(BaseSettings):
    """The Today worklist."""

    model_config = FLAT

    company_name: str = ""
    stale_overdue_days: int = 7
    next_step_default_days: int = 7


class AnalysisSection(BaseSettings):
    """Call analysis: threshold overrides ("name=value, ...") and the largest transcript accepted."""

    model_config = FLAT

    analysis_thresholds: str = ""
    # Checked before a transcript is read (CLI, API and uploads).
    max_transcript_bytes: int = 20 * 1024 * 1024
    # Largest call recording accepted by upload (a 60-minute stereo WAV at 16 kHz is about 230 MB).
    max_recording_bytes: int = 512 * 1024 * 1024


class TeamSection(BaseSettings):
    """Team numbers: how much history before the team's own benchmarks replace the published ones."""

    model_config = FLAT

    team_min_closed_deals: int = 40
    team_min_window_calls: int = 400
    team_min_calls_per_window: int = 25


class InboxSection(BaseSettings):
    """Inbox sync: reps' mailboxes read by IMAP (see docs/inbox.md)."""

    model_config = FLAT

    inbox_key: str | None = None  # Fernet key that encrypts mailbox passwords and tokens
    inbox_ca_file: str | None = None  # extra CA bundle for a mail server with an internal certificate
    inbox_sync_minutes: int = 5
    inbox_backfill_days: int = 30
    inbox_timeout_s: float = 30.0
    inbox_batch: int = 500
    inbox_idle: bool = True  # hold IMAP IDLE on each inbox in the worker, so new mail is read at once
    # The installation's OAuth2 clients, to refresh the access tokens of XOAUTH2 mailboxes.
    inbox_google_client_id: str | None = None
    inbox_google_client_secret: str | None = None
    inbox_google_token_url: str = "https://oauth2.googleapis.com/token"
    inbox_microsoft_client_id: str | None = None
    inbox_microsoft_client_secret: str | None = None
    inbox_microsoft_token_url: str = "https://login.microsoftonline.com/common/oauth2/v2.0/token"


class DialerSection(BaseSettings):
    """Dialer call events (see docs/dialer.md)."""

    model_config = FLAT

    dialer_twilio_auth_token: str | None = None
    dialer_aircall_token: str | None = None
    dialer_ringcentral_token: str | None = None  # the subscription's verificationToken
    dialer_webhook_secret: str | None = None  # whsec_... for the generic, Standard Webhooks-signed shape
    dialer_conversation_s: int = 30
    dialer_region: str = "US"


class MailSection(BaseSettings):
    """Sending follow-up emails by SMTP."""

    model_config = FLAT

    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_tls: Literal["none", "starttls", "ssl"] = "none"
    smtp_user: str | None = None
    smtp_password: str | None = None
    mail_from: str | None = None
    smtp_timeout_s: float = 30.0
    send_max_attempts: int = 5
    send_retry_base_s: int = 60
