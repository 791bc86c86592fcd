"""Turns what tools send (our schema, Segment track/page/identify) into events. Pure.

Every problem is collected with where it is (item and field) and how to fix it,
and a batch with any invalid item is refused as a whole: nothing half-stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ember.errors import InvalidInput, Problem
from ember.events.rules import EventType
from ember.validation import parse_email

MAX_BATCH = 1000
MAX_ID = 200
# No event needs more: Segment's deepest field (context.page.url) sits at four levels.
MAX_JSON_DEPTH = 32
# Clocks drift; an event dated further ahead than this is a mistake.
FUTURE_SLACK = timedelta(days=1)

# Segment `track` event names we understand; a source may also send our own type names.
SEGMENT_TRACK = {
    "webinar registered": EventType.WEBINAR_RSVP, "event registered": EventType.WEBINAR_RSVP,
    "webinar rsvp": EventType.WEBINAR_RSVP, "newsletter subscribed": EventType.NEWSLETTER_SUBSCRIBE,
    "subscribed to newsletter": EventType.NEWSLETTER_SUBSCRIBE, "podcast subscribed": EventType.PODCAST_SUBSCRIBE,
    "content shared": EventType.CONTENT_SHARE, "post shared": EventType.CONTENT_SHARE,
    "demo used": EventType.DEMO_USE, "demo started": EventType.DEMO_USE, "email replied": EventType.EMAIL_REPLY,
    "email link clicked": EventType.EMAIL_CLICK, "email clicked": EventType.EMAIL_CLICK,
    "page viewed": EventType.PAGE_VIEW,
}
_TYPES = ", ".join(t.value for t in EventType if t is not EventType.IDENTIFY)


@dataclass(frozen=True, slots=True)
class EventIn:
    external_id: str
    type: str
    occurred_at: datetime
    email: str | None = None
    anonymous_id: str | None = None
    url: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class Parsed:
    events: list[EventIn] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # Segment events we do not use, by name


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (walked without recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in item if isinstance(child, dict | list))
    return deepest


def load_json(raw: bytes) -> Any:
    """The parsed body; a clear 422 when it is not JSON or nests deeper than events ever do.

    The size is bounded before this (EMBER_EVENTS_MAX_BYTES), and the parser itself
    stops at Python's recursion limit, so a hostile body costs little either way."""
    too_deep = InvalidInput("the body is nested too deeply", [Problem(
        "request body", f"arrays and objects nest deeper than {MAX_JSON_DEPTH} levels",
        f"send events nested at most {MAX_JSON_DEPTH} levels deep")])
    try:
        body = json.loads(raw)
    except RecursionError:
        raise too_deep from None
    except ValueError as exc:
        raise InvalidInput("the body is not JSON", [Problem("request body", str(exc),
                                                            "send a JSON object or list")]) from exc
    if json_depth(body) > MAX_JSON_DEPTH:
        raise too_deep
    return body


def items_of(body: Any) -> list[Any]:
    """One event, a list of them, or a Segment batch ``{"batch": [...]}``."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and isinstance(body.get("batch"), list):
        return list(body["batch"])
    return [body]


def parse_time(value: Any, where: str, now: datetime, problems: list[Problem]) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(where, "is missing", "give the time as ISO 8601, e.g. 2026-03-04T15:20:00Z"))
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        problems.append(Problem(where, f"{value!r} is not a time", "use ISO 8601, e.g. 2026-03-04T15:20:00Z"))
        return None
    if moment.tzinfo is None:
        problems.append(Problem(where, f"{value!r} has no time zone", "add Z or an offset such as +01:00"))
        return None
    if moment > now + FUTURE_SLACK:
        problems.append(Problem(where, f"{value!r} is in the future", "check the sending system's clock"))
        return None
    return moment.astimezone(UTC)


def _text(item: dict[str, Any], key: str, where: str, problems: list[Problem], *, limit: int = 2000,
          required: bool = False) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        if required:
            problems.append(Problem(f"{where}.{key}", "is missing", f"send a non-empty {key}"))
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        problems.append(Problem(f"{where}.{key}", f"is a {type(value).__name__}", "send it as a string"))
        return None
    if len(value) > limit:
        problems.append(Problem(f"{where}.{key}", f"is longer than {limit} characters", "shorten it"))
        return None
    return value.strip()


def _email(value: str | None, where: str, problems: list[Problem]) -> str | None:
    if not value:
        return None
    try:
        return parse_email(value)
    except ValueError as exc:
        problems.append(Problem(where, str(exc).split(";")[0], "send a valid address or leave it out"))
        return None


def parse_ours(item: dict[str, Any], where: str, source: str, now: datetime, problems: list[Problem]) -> EventIn | None:
    before = len(problems)
    named = _text(item, "source", where, problems, limit=100)
    if named is not None and named != source:
        problems.append(Problem(f"{where}.source", f"says {named!r} but the signature is the one of {source!r}",
                                "sign with the secret of the source you name"))
    type_ = _text(item, "type", where, problems, limit=40, required=True)
    if type_ is not None and type_ not in {t.value for t in EventType}:
        problems.append(Problem(f"{where}.type", f"{type_!r} is not an event type", f"use one of: {_TYPES}"))
    external_id = _text(item, "id", where, problems, limit=MAX_ID, required=True)
    email = _email(_text(item, "email", where, problems, limit=320), f"{where}.email", problems)
    anonymous_id = _text(item, "anonymous_id", where, problems, limit=200)
    url = _text(item, "url", where, problems, limit=2000)
    occurred_at = parse_time(item.get("occurred_at"), f"{where}.occurred_at", now, problems)
    if type_ == EventType.IDENTIFY and not email:
        problems.append(Problem(f"{where}.email", "is needed for identify", "send the visitor's email"))
    if len(problems) > before or type_ is None or external_id is None or occurred_at is None:
        return None
    return EventIn(external_id, type_, occurred_at, email, anonymous_id, url)


def _object(item: dict[str, Any], key: str) -> dict[str, Any]:
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def _segment_type(item: dict[str, Any]) -> tuple[str | None, str]:
    kind = item.get("type")
    if kind == "page":
        return EventType.PAGE_VIEW.value, "page"
    if kind == "identify":
        return EventType.IDENTIFY.value, "identify"
    name = str(item.get("event") or "").strip()
    if name in {t.value for t in EventType}:
        return name, name
    found = SEGMENT_TRACK.get(name.lower())
    return (found.value if found else None), name


def parse_segment(item: dict[str, Any], where: str, now: datetime, webhook_id: str, index: int,
                  parsed: Parsed) -> EventIn | None:
    problems = parsed.problems
    type_, name = _segment_type(item)
    if type_ is None:
        parsed.skipped.append(name or "(unnamed track event)")
        return None
    properties, traits, context = _object(item, "properties"), _object(item, "traits"), _object(item, "context")
    page = _object(context, "page")
    before = len(problems)
    user_id = _text(item, "userId", where, problems, limit=320)
    raw_email = traits.get("email") or properties.get("email") or (user_id if user_id and "@" in user_id else None)
    email = _email(str(raw_email) if raw_email else None, f"{where}.traits.email", problems)
    anonymous_id = _text(item, "anonymousId", where, problems, limit=200)
    url = properties.get("url") or page.get("url") or properties.get("path") or page.get("path")
    # messageId is Segment's deduplication key; without one, the delivery id and
    # position make a retry of the same webhook land on the same rows.
    external_id = _text(item, "messageId", where, problems, limit=MAX_ID) or f"{webhook_id}:{index}"
    occurred_at = parse_time(item.get("timestamp") or item.get("sentAt"), f"{where}.timestamp", now, problems)
    if type_ == EventType.IDENTIFY and not email:
        problems.append(Problem(f"{where}.traits.email", "is needed for identify", "send traits.email"))
    if len(problems) > before or occurred_at is None:
        return None
    payload = {"segment_type": item.get("type"), "name": name, "user_id": user_id}
    return EventIn(external_id, type_, occurred_at, email, anonymous_id, str(url)[:2000] if url else None, payload)


def is_segment(item: dict[str, Any]) -> bool:
    return item.get("type") in ("page", "track", "identify") and ("messageId" in item or "anonymousId" in item
                                                                   or "userId" in item or "event" in item
                                                                   or "traits" in item or "properties" in item)


def parse_body(body: Any, *, source: str, webhook_id: str, now: datetime) -> Parsed:
    parsed = Parsed()
    items = items_of(body)
    if not items:
        parsed.problems.append(Problem("request body", "has no events", "send one event or a list of them"))
    if len(items) > MAX_BATCH:
        parsed.problems.append(Problem("request body", f"has {len(items)} events", f"send at most {MAX_BATCH}"))
        return parsed
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"event {index + 1}" if len(items) > 1 else "event"
        if not isinstance(item, dict):
            parsed.problems.append(Problem(where, "is not a JSON object", "send objects like {\"type\": ...}"))
            continue
        if is_segment(item):
            event = parse_segment(item, where, now, webhook_id, index, parsed)
        else:
            event = parse_ours(item, where, source, now, parsed.problems)
        if event is not None and event.external_id not in seen:
            seen.add(event.external_id)
            parsed.events.append(event)
    return parsed
