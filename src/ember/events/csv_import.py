"""Events from CSV files: webinar RSVP lists, podcast or newsletter subscribers.

All rows or none: any invalid row stops the import and every problem is listed
as "line N, column X". Importing the same file twice adds nothing: each row's
id is the file's id column, or else a hash of type, email and time.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ember.errors import InvalidInput, Problem
from ember.events.ingest import Accepted, get_source, store
from ember.events.parse import FUTURE_SLACK, EventIn, Parsed
from ember.events.rules import SIGNAL_TYPES
from ember.validation import parse_email

# Header names people's tools use, matched without case or spaces.
COLUMNS = {
    "email": ("email", "emailaddress", "e-mail", "mail", "attendeeemail", "subscriberemail"),
    "occurred_at": ("occurredat", "timestamp", "date", "time", "registeredat", "registrationtime",
                    "registrationdate", "subscribedat", "createdat", "signupdate"),
    "id": ("id", "externalid", "registrantid", "subscriberid", "eventid"),
    "url": ("url", "link", "page"),
    "anonymous_id": ("anonymousid", "visitorid"),
}


def _key(header: str) -> str:
    return "".join(ch for ch in header.lower() if ch.isalnum() or ch == "-")


def _mapping(headers: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for header in headers:
        for field, aliases in COLUMNS.items():
            if _key(header) in aliases and field not in found:
                found[field] = header
    return found


def _time(text: str, zone: ZoneInfo) -> datetime:
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)


def _row(row: dict[str, str], line: int, columns: dict[str, str], event_type: str, zone: ZoneInfo, now: datetime,
         problems: list[Problem]) -> EventIn | None:
    def cell(field: str) -> str:
        return (row.get(columns.get(field, "")) or "").strip()

    where = f"line {line}"
    email = None
    try:
        email = parse_email(cell("email")) if cell("email") else None
    except ValueError as exc:
        problems.append(Problem(f"{where}, column {columns['email']}", str(exc).split(";")[0], "fix the address"))
        return None
    if email is None and not cell("anonymous_id"):
        problems.append(Problem(f"{where}, column {columns.get('email', 'email')}", "is empty",
                                "every row needs the person's email"))
        return None
    occurred_at = now
    if cell("occurred_at"):
        try:
            occurred_at = _time(cell("occurred_at"), zone)
        except ValueError:
            problems.append(Problem(f"{where}, column {columns['occurred_at']}", f"{cell('occurred_at')!r} is not a "
                                    "time", "use ISO 8601 such as 2026-03-04T15:20:00Z or 2026-03-04 15:20"))
            return None
        if occurred_at > now + FUTURE_SLACK:
            problems.append(Problem(f"{where}, column {columns['occurred_at']}", f"{cell('occurred_at')!r} is in the "
                                    "future", "check the export; times without an offset are read in --timezone"))
            return None
    digest = hashlib.sha256(f"{event_type}|{email}|{cell('occurred_at')}".encode()).hexdigest()[:32]
    external_id = cell("id")[:200] or f"csv:{digest}"
    return EventIn(external_id, event_type, occurred_at, email, cell("anonymous_id") or None, cell("url") or None,
                   {"import": "csv"})


def read_events(path: Path, event_type: str, *, timezone: str = "UTC", now: datetime | None = None) -> Parsed:
    now = now or datetime.now(UTC)
    parsed = Parsed()
    if event_type not in {t.value for t in SIGNAL_TYPES}:
        raise InvalidInput(f"{event_type!r} is not an event type", [Problem(
            "option --type", f"{event_type!r} is unknown", f"use one of: {', '.join(t.value for t in SIGNAL_TYPES)}")])
    zone = ZoneInfo(timezone)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = _mapping(list(reader.fieldnames or []))
        if "email" not in columns and "anonymous_id" not in columns:
            raise InvalidInput(f"{path.name} has no email column", [Problem(
                "line 1", f"columns are {', '.join(reader.fieldnames or [])}", "add a column named email")])
        seen: set[str] = set()
        for line, row in enumerate(reader, start=2):
            event = _row(row, line, columns, event_type, zone, now, parsed.problems)
            if event is not None and event.external_id not in seen:
                seen.add(event.external_id)
                parsed.events.append(event)
    return parsed


def import_events(session: Session, path: Path, *, source: str, event_type: str, timezone: str = "UTC",
                  now: datetime | None = None) -> Accepted:
    now = now or datetime.now(UTC)
    get_source(session, source)
    return store(session, source, read_events(path, event_type, timezone=timezone, now=now), now=now)
