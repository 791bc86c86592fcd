"""Builds the planning settings from the ``EMBER_*`` environment settings."""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from typing import Any

from ember.cadence.settings import CadenceSettings, parse_windows
from ember.errors import InvalidInput, Problem
from ember.settings import Settings


def _days(text: str, name: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.replace(";", ",").split(",") if part.strip())
    except ValueError as exc:
        raise InvalidInput(f"{name} is not a list of days",
                           [Problem(name, f"{text!r} is not numbers", "write days like 1,2,3,5,7")]) from exc
    if not values or min(values) < 0:
        raise InvalidInput(f"{name} is empty or negative", [Problem(name, repr(text), "write days like 1,2,3,5,7")])
    return values


def _hours(text: str, name: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip().zfill(5)) for part in text.split("-"))
    except ValueError as exc:
        raise InvalidInput(f"{name} is not a time range",
                           [Problem(name, repr(text), "write it like 08:00-18:00")]) from exc
    return start, end


_FIELDS = ("call_windows", "qualifying_windows", "working_hours", "email_hour", "skip_public_holidays",
           "holidays_country", "ftc_spacing_days", "follow_up_spacing_days", "follow_ups_before_stalled",
           "ftc_attempts_before_pause", "not_now_default_days", "nudge_after_days")


def cadence_settings(settings: Settings) -> CadenceSettings:
    """Parsed once per distinct set of values: planning a million contacts reuses it."""
    return _build(tuple(getattr(settings, name) for name in _FIELDS))


@lru_cache(maxsize=8)
def _build(values: tuple[object, ...]) -> CadenceSettings:
    fields: dict[str, Any] = dict(zip(_FIELDS, values, strict=True))
    settings = Settings.model_construct(**fields)
    name = ""
    try:
        name = "EMBER_CALL_WINDOWS"
        calls = parse_windows(settings.call_windows)
        name = "EMBER_QUALIFYING_WINDOWS"
        qualifying = parse_windows(settings.qualifying_windows)
        name = "EMBER_EMAIL_HOUR"
        email_hour = time.fromisoformat(settings.email_hour.strip().zfill(5))
        return CadenceSettings(
            call_windows=calls,
            qualifying_windows=qualifying,
            working_hours=_hours(settings.working_hours, "EMBER_WORKING_HOURS"),
            email_hour=email_hour,
            skip_public_holidays=settings.skip_public_holidays,
            holidays_country=settings.holidays_country.strip().upper() or None,
            ftc_spacing_days=_days(settings.ftc_spacing_days, "EMBER_FTC_SPACING_DAYS"),
            follow_up_spacing_days=_days(settings.follow_up_spacing_days, "EMBER_FOLLOW_UP_SPACING_DAYS"),
            follow_ups_before_stalled=settings.follow_ups_before_stalled,
            ftc_attempts_before_pause=settings.ftc_attempts_before_pause or None,
            not_now_default_days=settings.not_now_default_days,
            nudge_after_days=settings.nudge_after_days,
        )
    except ValueError as exc:
        raise InvalidInput(f"the setting {name or 'cadence'} is not valid",
                           [Problem(name or "cadence settings", str(exc), "see docs/configuration.md")]) from exc
