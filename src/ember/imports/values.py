"""Values as CRM exports write them: empty markers, yes/no flags, dates and phone numbers.

Pure functions; each raises ``ValueError("what; how to fix")`` like the
parsers in ``ember.validation``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# Cells that mean "no value": what databases, reports and spreadsheets write for nothing.
EMPTY_MARKERS = frozenset({"null", "n/a", "#n/a", "(null)", "none"})

_TRUE = frozenset({"true", "yes", "y", "1", "x", "checked", "opted out", "unsubscribed"})
_FALSE = frozenset({"false", "no", "n", "0", "unchecked", "opted in", "subscribed"})

# Salesforce report exports: 3/15/2024, 3/15/2024 2:05 PM, 3/15/2024, 2:05 PM; other locales
# 15/03/2024 14:05 or 15.03.2024 14:05.
_SLASHED = re.compile(
    r"^(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{4}),?"
    r"(?:\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?)?$"
)


def is_empty(value: str) -> bool:
    text = value.strip()
    return not text or text.lower() in EMPTY_MARKERS


def parse_flag(value: str) -> bool:
    """Opt-out and deleted flags: true/false, yes/no, 1/0 (Salesforce writes 1 and 0)."""
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not yes or no; use true or false")


def _slashed(match: re.Match[str]) -> datetime:
    first, second = int(match["a"]), int(match["b"])
    # Month first as in US exports, unless the first number cannot be a month.
    month, day = (second, first) if first > 12 or "." in match.group(0) else (first, second)
    hour = int(match["hour"] or 0)
    ampm = (match["ampm"] or "").lower()
    if ampm and not 1 <= hour <= 12:
        raise ValueError("hour out of range for AM/PM")
    if ampm == "pm" and hour != 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    return datetime(int(match["year"]), month, day, hour, int(match["minute"] or 0), int(match["second"] or 0))


def parse_export_datetime(value: str, default_tz: str = "UTC") -> datetime:
    """ISO 8601 (HubSpot writes 2024-03-15 14:05, Salesforce's loader 2024-03-15T14:05:00.000+0000)
    or a report date like 3/15/2024 2:05 PM; without an offset the time is in ``default_tz``."""
    text = value.strip()
    try:
        match = _SLASHED.match(text)
        parsed = _slashed(match) if match else datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date; use 2026-03-31, 2026-03-31 14:00 or 3/31/2026 2:00 PM") \
            from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(default_tz))
    return parsed.astimezone(UTC)


def name_key(first: object, last: object) -> str:
    """First and last name for matching: case and surrounding spaces do not count."""
    return f"{str(first or '').strip()} {str(last or '').strip()}".strip().lower()
