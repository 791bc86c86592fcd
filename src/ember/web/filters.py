"""Small formatting filters the page templates share (money, moments, call clocks) and a few constants."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from jinja2 import Environment

from ember.conversation import FORMAT_NAMES
from ember.conversation.report import clock


def money(amount: Decimal | float | None, currency: str = "USD") -> str:
    if amount is None:
        return "—"
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency, "")
    whole = f"{Decimal(amount):,.0f}"
    return f"{symbol}{whole}" if symbol else f"{whole} {currency}"


def moment(value: datetime | None, zone: str = "UTC", with_time: bool = True) -> str:
    """A stored instant in the reader's time zone: "3 Mar 2026, 14:05"."""
    if value is None:
        return "—"
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(ZoneInfo(zone))
    return local.strftime("%-d %b %Y, %H:%M" if with_time else "%-d %b %Y")


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in the largest unit that fits ("3 days ago")."""
    if value is None:
        return "never"
    seconds = ((now or datetime.now(UTC)) - (value if value.tzinfo else value.replace(tzinfo=UTC))).total_seconds()
    for size, unit in ((86400 * 365, "year"), (86400 * 30, "month"), (86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now" if seconds >= 0 else "in the future"


def day_in(zone: str | ZoneInfo = "UTC", value: datetime | None = None) -> str:
    """A calendar day as a date picker holds it ("2026-03-04"), in the reader's zone; today by default."""
    moment_ = (value if value is None or value.tzinfo else value.replace(tzinfo=UTC)) or datetime.now(UTC)
    return moment_.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone).date().isoformat()


def words(value: str | None) -> str:
    """A stored key as words: "closed_won" -> "closed won"."""
    return (value or "").replace("_", " ").replace("-", " ")


def fromiso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def install(env: Environment) -> None:
    env.filters.update(money=money, moment=moment, ago=ago, clock=clock, words=words, fromiso=fromiso)
    env.globals["day_in"] = day_in
    env.globals["transcript_formats"] = FORMAT_NAMES  # the upload form offers every format the parsers read
