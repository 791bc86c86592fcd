"""Field parsers shared by the API, the forms and the CSV importer.

Each raises ``ValueError`` with a message that says how to fix the value;
callers attach where it happened (field, or line and column).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo, available_timezones

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator

from ember.countries import country_code

# Plain ASCII addresses are the vast majority; they are checked here without the
# full (and slow, IDNA-aware) validator, which still handles everything else.
_PLAIN_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63})$"
)
_RESERVED_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})


def parse_email(value: str) -> str:
    text = value.strip().lower()
    plain = _PLAIN_EMAIL.match(text)
    if plain and plain.group(1) not in _RESERVED_TLDS and len(text) <= 254 and len(text.split("@")[0]) <= 64:
        return text
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(f"{value!r} is not a valid email address ({exc}); use name@company.com") from exc


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def parse_timezone(value: str) -> str:
    value = value.strip()
    if value in _zones():
        return value
    raise ValueError(f"{value!r} is not an IANA time zone; use a name like Europe/Berlin")


@lru_cache(maxsize=4096)
def parse_country(value: str) -> str:
    """ISO 3166-1 alpha-2 code from a code or a name ("Germany", "DEU", "de", "Korea", "Cote d'Ivoire")."""
    code = country_code(value)
    if code is None:
        raise ValueError(f"{value!r} is not a country; use an ISO code like DE or a name like Germany")
    return code


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], value: str) -> E:
    normalised = value.strip().lower().replace(" ", "_")
    for member in enum:
        if normalised in (member.value, member.value.replace("-", "_")):
            return member
    allowed = ", ".join(m.value for m in enum)
    raise ValueError(f"{value!r} is not allowed; use one of: {allowed}")


def parse_datetime(value: str, default_tz: str = "UTC") -> datetime:
    """ISO 8601 date or date-time; a value without offset is read in ``default_tz``."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date; use ISO 8601 like 2026-03-31 or 2026-03-31T14:00") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(default_tz))
    return parsed.astimezone(UTC)


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date; use YYYY-MM-DD") from exc


def parse_amount(value: str) -> Decimal:
    text = value.strip().replace(",", "").replace("$", "").replace("€", "").replace("£", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not an amount; use digits like 12500.00") from exc
    if amount < 0:
        raise ValueError(f"{value!r} is negative; amounts are zero or more")
    return amount


def parse_int(value: str) -> int:
    try:
        return int(value.strip().replace(",", ""))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a whole number") from exc


def not_null(value: object) -> object:
    """For PATCH bodies: leaving a field out keeps it; null for a value a record must have is refused."""
    if value is None:
        raise ValueError("cannot be null; leave the field out to keep its value")
    return value


def empty_as_none(value: object) -> object:
    """An empty external id means "none" (CRMs export blanks), never a key of its own."""
    return None if isinstance(value, str) and not value.strip() else value


# Field types for request bodies, checked by the parsers above (contacts, accounts, ...).
Email = Annotated[str, AfterValidator(parse_email)]
TimeZone = Annotated[str, AfterValidator(parse_timezone)]
Country = Annotated[str, AfterValidator(parse_country)]
