"""Which settings the desk may change per team, how each is read from a form, and its section.

Pure: parsing and describing only. The checks that need the whole set (call
windows that parse, an email hour inside working hours) run in the service by
building what the domain builds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ember import validation

Parse = Callable[[str], object]


def _text(limit: int) -> Parse:
    def parse(value: str) -> str:
        value = value.strip()
        if len(value) > limit:
            raise ValueError(f"is {len(value)} characters long; keep it to {limit}")
        return value
    return parse


def _whole(low: int, high: int) -> Parse:
    def parse(value: str) -> int:
        text = value.strip()
        if not text.lstrip("-").isdigit():
            raise ValueError(f"{text!r} is not a whole number; type digits only")
        number = int(text)
        if not low <= number <= high:
            raise ValueError(f"{number} is out of range; use {low} to {high}")
        return number
    return parse


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "on", "yes")


def _country(value: str) -> str:
    text = value.strip()
    if not text:
        return ""
    code, _, region = text.upper().partition("-")
    return validation.parse_country(code) + (f"-{region}" if region else "")


def _choice(*allowed: str) -> Parse:
    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"{value!r} is not allowed; use one of: {', '.join(allowed)}")
        return value
    return parse


def _optional_email(value: str) -> str | None:
    return validation.parse_email(value) if value.strip() else None


def _optional_text(value: str) -> str | None:
    return value.strip() or None


@dataclass(frozen=True)
class Field:
    name: str  # the flat setting name (EMBER_ + upper case in the environment)
    label: str
    parse: Parse
    hint: str = ""
    kind: str = "text"  # text | number | checkbox | select | password | textarea (how the form shows it)
    choices: tuple[str, ...] = ()

    @property
    def secret(self) -> bool:
        """Never shown back; an empty field keeps what is stored."""
        return self.kind == "password"


CADENCE = (
    Field("call_windows", "Call windows", _text(500), "Day, start-end, priority (1 = best): wed 16:00-17:00 1; ...",
          "textarea"),
    Field("qualifying_windows", "Extra windows while qualifying", _text(500), "Same form; early-morning calls work",
          "textarea"),
    Field("working_hours", "Working hours (their time)", _text(20), "Like 08:00-18:00"),
    Field("email_hour", "Email hour (their time)", _text(10), "Like 09:00, inside working hours"),
    Field("skip_public_holidays", "Skip public holidays", _flag, kind="checkbox"),
    Field("holidays_country", "Holidays of (when a contact has no country)", _country,
          "ISO code like DE or US-CA; empty: none"),
    Field("ftc_spacing_days", "Days between first-time attempts", _text(100), "Like 1,2,3,5,7; the last repeats"),
    Field("follow_up_spacing_days", "Days between follow-ups", _text(100), "After the conversation, then each one"),
    Field("follow_ups_before_stalled", "Follow-ups before a deal is stalled", _whole(1, 50),
          "Most closed sales took about five", "number"),
    Field("ftc_attempts_before_pause", "First-time attempts before pausing", _whole(0, 100), "0: never pause",
          "number"),
    Field("not_now_default_days", "Call back after “not now” (days)", _whole(1, 365), kind="number"),
    Field("nudge_after_days", "Nudge after silence (days)", _whole(1, 365), kind="number"),
)
ANALYSIS = (
    Field("analysis_thresholds", "Threshold overrides", _text(2000),
          "name=value, separated by commas; empty: the published benchmarks", "textarea"),
)
TLS = ("none", "starttls", "ssl")
SMTP = (
    Field("smtp_host", "Mail server", _text(255), "Host name of your SMTP server"),
    Field("smtp_port", "Port", _whole(1, 65535), "587 for STARTTLS, 465 for SSL, 25 plain", "number"),
    Field("smtp_tls", "Encryption", _choice(*TLS), kind="select", choices=TLS),
    Field("smtp_user", "User name", _optional_text),
    Field("smtp_password", "Password", _optional_text, "Leave empty to keep the stored one", "password"),
    Field("mail_from", "Send from", _optional_email, "Empty: each rep sends from their own address"),
)
GROUPS: dict[str, tuple[Field, ...]] = {"cadence": CADENCE, "analysis": ANALYSIS, "smtp": SMTP}
BY_NAME = {f.name: f for fields in GROUPS.values() for f in fields}


def as_text(value: object) -> str:
    """How a setting's value is stored and shown in a form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
