"""Segment calls (track, page, screen, identify, group, alias) into events. Pure.

What the libraries send is read as Segment documents it:

* the time an event happened is corrected for the sender's clock: when a call
  carries both ``timestamp`` and ``sentAt`` (per call or for the whole batch),
  it happened ``sentAt - timestamp`` before we received it;
* ``messageId`` is the deduplication key (a call without one gets a key made
  from its content, so a retry still lands on the same row);
* who the visitor is depends on the key: calls made with a server key are
  trusted; calls made with a browser key (published in web pages) are kept with
  what they claim, tied to nobody, unless a signed link from our emails
  (``ember_cid``) or an identity hash made by the team's server proves it.

Ids are stored with a prefix (``u:`` user id, ``a:`` anonymous id) so that a
browser key can never pose as a user id that a server key tied to someone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from ember.cadence.bookings import BOOKING, END, START, TITLE
from ember.errors import Problem
from ember.events.rules import ALIASES, LINK_PARAMETER, EventIn, Parsed, identity_proven
from ember.tracking.keys import KeyScope
from ember.tracking.mapping import EventMap
from ember.validation import parse_email
from ember.vocabulary import EventType

MAX_BATCH_BYTES = 500 * 1024  # Segment's documented limits
MAX_MESSAGE_BYTES = 32 * 1024
MAX_ID = 200
CALL_TYPES = ("track", "page", "screen", "identify", "group", "alias")
# analytics.js posts to one-letter paths; the libraries to the full names.
PATH_TYPES = {"track": "track", "t": "track", "page": "page", "p": "page", "screen": "screen", "s": "screen",
              "identify": "identify", "i": "identify", "group": "group", "g": "group", "alias": "alias",
              "a": "alias"}


@dataclass(frozen=True)
class Sender:
    """Who sent the calls: the source, its key's scope and what is needed to prove identities."""

    source: str
    scope: KeyScope
    mapping: EventMap
    identity_key: str  # proves emails from browsers (see ember.events.rules)
    contact_from_link: Callable[[str], int | None]  # a signed ember_cid -> contact id


@dataclass
class _Call:
    item: dict[str, Any]
    where: str
    problems: list[Problem] = field(default_factory=list)


def message_too_large(item: Any) -> bool:
    return len(json.dumps(item, separators=(",", ":"), default=str).encode()) > MAX_MESSAGE_BYTES


def parse_moment(value: Any, where: str, problems: list[Problem], field: str = "") -> datetime | None:
    """The time in ``where`` (its ``field``, when given), or None (with a problem when it is not one).
    Like ids, the place is spelled out only for a problem."""
    if value is None or value == "":
        return None
    if type(value) is not str:
        problems.append(Problem(_place(where, field), f"is a {type(value).__name__}", "send an ISO 8601 time string"))
        return None
    try:
        moment = datetime.fromisoformat(value)  # what the libraries send, read at once (a "Z" included)
    except ValueError:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            problems.append(Problem(_place(where, field), f"{value[:60]!r} is not a time",
                                    "use ISO 8601, e.g. 2026-03-04T15:20:00Z"))
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # Segment reads a bare time as UTC


def _place(where: str, field: str) -> str:
    return f"{where}.{field}" if field else where


def corrected_time(timestamp: datetime | None, sent_at: datetime | None, received_at: datetime) -> datetime:
    """When the call happened on our clock: Segment's skew correction, never in the future."""
    if timestamp is None:
        return received_at
    if sent_at is not None:
        timestamp = received_at - (sent_at - timestamp)
    return min(timestamp.astimezone(UTC), received_at)


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _id(value: Any, where: str, field: str, problems: list[Problem]) -> str | None:
    """The id in ``where.field``, or None (with a problem when it is not one). The place is spelled
    out only for a problem: a batch has hundreds of ids and almost never one."""
    if type(value) is str:  # nearly every id, so checked first
        text = value.strip()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value).strip()
    else:
        if value is not None:
            problems.append(Problem(f"{where}.{field}", f"is a {type(value).__name__}", "send the id as a string"))
        return None
    if len(text) > MAX_ID:
        problems.append(Problem(f"{where}.{field}", f"is longer than {MAX_ID} characters", "send a shorter id"))
        return None
    return text or None


def _email(value: Any) -> str | None:
    if not isinstance(value, str) or "@" not in value:
        return None
    try:
        return parse_email(value[:320])
    except ValueError:
        return None  # a typo in a form field must not lose the call


class _Parts(NamedTuple):
    """The objects of a call that several readers need, looked up once (a tuple: made for every call)."""

    properties: dict[str, Any]
    traits: dict[str, Any]
    context: dict[str, Any]
    page: dict[str, Any]

    @classmethod
    def of(cls, item: dict[str, Any]) -> _Parts:
        context = _object(item.get("context"))
        return cls(_object(item.get("properties")), _object(item.get("traits")), context,
                   _object(context.get("page")) if context else {})


def _claimed_email(parts: _Parts, user_id: str | None) -> str | None:
    context_traits = parts.context.get("traits") if parts.context else None
    candidates = (parts.traits.get("email"), parts.properties.get("email"),
                  context_traits.get("email") if isinstance(context_traits, dict) else None, user_id)
    for value in candidates:
        if value and (email := _email(value)) is not None:
            return email
    return None


def _url(parts: _Parts, item: dict[str, Any], kind: str, mapping: EventMap) -> str | None:
    for name in mapping.url_from:
        value = parts.properties.get(name) or (parts.page.get(name) if name in ("url", "path") else None)
        if isinstance(value, str) and value.strip():
            return value.strip()[:2000]
    if kind == "screen" and isinstance(item.get("name"), str):
        return "screen/" + str(item["name"])[:200]
    return None


def _link_token(parts: _Parts, url: str | None) -> str | None:
    """A signed contact id from our emails, in the page's query string or a property."""
    direct = parts.properties.get(LINK_PARAMETER)
    if isinstance(direct, str) and direct:
        return direct
    for candidate in (url, parts.page.get("url"), parts.page.get("search")):
        if isinstance(candidate, str) and LINK_PARAMETER in candidate:
            query = urlsplit(candidate).query if "://" in candidate or "?" in candidate else candidate
            values = parse_qs(query.lstrip("?")).get(LINK_PARAMETER)
            if values:
                return values[-1]
    return None


def _content_id(item: dict[str, Any]) -> str:
    """A call without a messageId is keyed by its own content: a retry of it lands on the same row."""
    canonical = json.dumps(item, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _name(item: dict[str, Any], kind: str) -> str:
    if kind == "track":
        return str(item.get("event") or "").strip()[:200]
    return kind


def _booking_fields(properties: dict[str, Any]) -> dict[str, Any]:
    """What a scheduling tool's ``Meeting Booked`` / ``Meeting Canceled`` call says about the booking."""
    fields: dict[str, Any] = {}
    booking = properties.get("booking_id") or properties.get("meeting_id")
    if isinstance(booking, str | int) and not isinstance(booking, bool):
        fields[BOOKING] = str(booking)[:250]
    for name in (START, END):
        if isinstance(properties.get(name), str):
            fields[name] = properties[name][:60]
    title = properties.get("meeting_name") or properties.get("title")
    if isinstance(title, str):
        fields[TITLE] = title[:200]
    return fields


def _identity(sender: Sender, parts: _Parts, email: str | None, user_id: str | None,
              payload: dict[str, Any]) -> tuple[str | None, str | None]:
    """(trusted email, user id) for this call; what a browser claims goes to the payload only."""
    if sender.scope is KeyScope.SERVER:
        return email, user_id
    proof = parts.traits.get("ember_hash") or parts.context.get("ember_hash")
    if email is not None and isinstance(proof, str) and identity_proven(sender.identity_key, email, proof):
        return email, None
    if email is not None:
        payload["unverified_email"] = email
    if user_id is not None:
        payload["unverified_user_id"] = user_id
    return None, None


class Checked(NamedTuple):
    """The fields of a call that passed the checks deciding whether a request is refused (a tuple:
    made for every call of every batch, and cheaper to make than a frozen dataclass)."""

    kind: str
    name: str
    user_id: str | None
    anonymous_id: str | None
    message_id: str | None  # None: the call sent none, its content makes one
    timestamp: datetime | None
    sent_at: datetime | None
    previous_id: str | None


def check_call(item: Any, where: str, batch_sent_at: datetime | None, problems: list[Problem], *,
               check_size: bool = True) -> Checked | None:
    """The call's fields, or None with its problems added: only what makes the whole request a 400.

    The request runs this for every call before it stores the batch; the worker runs it again
    through :func:`parse_call`, so both agree on what a call is.
    """
    if not isinstance(item, dict):
        problems.append(Problem(where, "is not a JSON object", "send calls like {\"type\": \"track\", ...}"))
        return None
    kind = item.get("type")
    if kind not in CALL_TYPES:
        problems.append(Problem(f"{where}.type", f"{kind!r} is not a Segment call type",
                                "use track, page, screen, identify, group or alias"))
        return None
    if check_size and message_too_large(item):
        problems.append(Problem(where, f"is larger than {MAX_MESSAGE_BYTES // 1024} KB",
                                "send smaller properties; Segment's limit per call is 32 KB"))
        return None
    before = len(problems)
    name = _name(item, kind)
    user_id = _id(item.get("userId"), where, "userId", problems)
    anonymous_id = _id(item.get("anonymousId"), where, "anonymousId", problems)
    message_id = _id(item.get("messageId"), where, "messageId", problems)
    timestamp = parse_moment(item.get("timestamp") or item.get("originalTimestamp"), where, problems, "timestamp")
    sent_at = parse_moment(item.get("sentAt"), where, problems, "sentAt") or batch_sent_at
    if kind == "track" and not name:
        problems.append(Problem(f"{where}.event", "is missing", "name the track event, e.g. Webinar Registered"))
    previous_id = _id(item.get("previousId"), where, "previousId", problems) if kind == "alias" else None
    if kind != "alias" and user_id is None and anonymous_id is None:
        problems.append(Problem(where, "has neither userId nor anonymousId", "send at least one of them"))
    if kind == "alias" and (user_id is None or previous_id is None):
        problems.append(Problem(where, "an alias needs both userId and previousId",
                                "send the new id as userId and the old one as previousId"))
    if len(problems) > before:
        return None
    return Checked(kind, name, user_id, anonymous_id, message_id, timestamp, sent_at, previous_id)


def parse_call(sender: Sender, item: Any, where: str, batch_sent_at: datetime | None, received_at: datetime,
               parsed: Parsed, *, check_size: bool = True) -> list[EventIn]:
    """The events one call makes (none when its type or track name is not used)."""
    checked = check_call(item, where, batch_sent_at, parsed.problems, check_size=check_size)
    if checked is None:
        return []
    kind, name = checked.kind, checked.name
    type_ = sender.mapping.type_for(name) if name else None
    if type_ is None:
        parsed.skipped.append(name or kind)
        return []
    message_id = checked.message_id or _content_id(item)
    parts = _Parts.of(item)
    url = _url(parts, item, kind, sender.mapping)
    payload: dict[str, Any] = {"call": kind, "key": sender.scope.value}
    if kind == "track":
        payload["name"] = name
    email, trusted_user = _identity(sender, parts, _claimed_email(parts, checked.user_id), checked.user_id,
                                    payload)
    token = _link_token(parts, url)
    if token is not None and (contact_id := sender.contact_from_link(token)) is not None:
        payload["contact_id"] = contact_id  # checked by the job: the contact may be gone
    if kind == "page" and isinstance(item.get("name"), str):
        payload["title"] = str(item["name"])[:300]
    if type_ in (EventType.MEETING_BOOKED, EventType.MEETING_CANCELED):
        payload.update(_booking_fields(parts.properties))
    if type_ == EventType.IDENTIFY and email is None:
        parsed.skipped.append("identify without a verified email")
        return []
    occurred_at = corrected_time(checked.timestamp, checked.sent_at, received_at)
    if type_ == EventType.ALIAS:
        return _alias_events(message_id, occurred_at, trusted_user, checked.previous_id, payload, parsed)
    anonymous_id = checked.anonymous_id
    visitor = f"u:{trusted_user}" if trusted_user else (f"a:{anonymous_id}" if anonymous_id else None)
    events = [EventIn(message_id, type_, occurred_at, email, visitor, url, payload)]
    if type_ == EventType.IDENTIFY and trusted_user and anonymous_id:
        # Ties the anonymous visits from before the sign-in to the same person.
        events.append(EventIn(f"{message_id}#anonymous", type_, occurred_at, email, f"a:{anonymous_id}", url,
                              payload))
    return events


def _alias_events(message_id: str, occurred_at: datetime, user_id: str | None, previous_id: str | None,
                  payload: dict[str, Any], parsed: Parsed) -> list[EventIn]:
    """One event per id an alias names, each listing the others, so that whichever id is tied to a
    contact first (now or later) brings the others along.

    Segment's previousId may be an anonymous id or an earlier user id: both are named. Only a
    server key may merge ids: from a browser anyone could claim to be anyone's user id.
    """
    if user_id is None or previous_id is None:
        parsed.skipped.append("alias from a browser key (not trusted to merge identities)")
        return []
    ids = [f"u:{user_id}", f"a:{previous_id}", f"u:{previous_id}"]
    ids = list(dict.fromkeys(ids))  # an alias of an id to itself names it once
    suffixes = ("", "#previous-anonymous", "#previous-user")
    return [EventIn(f"{message_id}{suffix}", EventType.ALIAS, occurred_at, None, visitor, None,
                    {**payload, ALIASES: [other for other in ids if other != visitor]})
            for suffix, visitor in zip(suffixes, ids, strict=False)]


def calls_of(body: Any, path_type: str | None) -> tuple[list[Any], Any]:
    """(the calls, the batch's sentAt): ``{"batch": [...]}`` for /v1/batch, one call otherwise."""
    if not isinstance(body, dict):
        return [body], None
    if path_type is None:
        batch = body.get("batch")
        return (list(batch) if isinstance(batch, list) else [None]), body.get("sentAt")
    call = dict(body)
    call.setdefault("type", path_type)  # /v1/track may leave the type out
    call.pop("writeKey", None)
    return [call], None


def _batch_problem(body: Any, path_type: str | None) -> Problem | None:
    if path_type is None and not (isinstance(body, dict) and isinstance(body.get("batch"), list)):
        return Problem("request body", "has no batch list", "send {\"batch\": [calls...]}")
    return None


def _where(path_type: str | None, index: int) -> str:
    return f"batch[{index}]" if path_type is None else "call"


def checked_batch(body: Any, path_type: str | None, body_bytes: int = MAX_BATCH_BYTES) -> tuple[
        dict[str, Any], list[Problem]]:
    """The request's calls as one batch to store (``{"batch": [...], "sentAt": ...}``) and every problem
    that refuses it. Only the checks: who the calls are about, their events and their times are
    the worker's work (:func:`parse_calls` on what is stored)."""
    problems: list[Problem] = []
    calls, batch_sent = calls_of(body, path_type)
    wrong = _batch_problem(body, path_type)
    if wrong is not None:
        return {}, [wrong]
    batch_sent_at = parse_moment(batch_sent, "sentAt", problems)
    check_size = body_bytes > MAX_MESSAGE_BYTES  # no call of a smaller body can be too large
    for index, item in enumerate(calls):
        check_call(item, _where(path_type, index), batch_sent_at, problems, check_size=check_size)
    return {"batch": calls, "sentAt": batch_sent}, problems


def parse_calls(sender: Sender, body: Any, path_type: str | None, received_at: datetime,
                body_bytes: int = MAX_BATCH_BYTES) -> Parsed:
    """The events of a request's calls (a batch stored by :func:`checked_batch` has ``path_type`` None),
    each messageId once."""
    parsed = Parsed()
    check_size = body_bytes > MAX_MESSAGE_BYTES  # no call of a smaller body can be too large
    calls, batch_sent = calls_of(body, path_type)
    wrong = _batch_problem(body, path_type)
    if wrong is not None:
        parsed.problems.append(wrong)
        return parsed
    batch_sent_at = parse_moment(batch_sent, "sentAt", parsed.problems)
    seen: set[str] = set()
    for index, item in enumerate(calls):
        for event in parse_call(sender, item, _where(path_type, index), batch_sent_at, received_at, parsed,
                                check_size=check_size):
            if event.external_id not in seen:
                seen.add(event.external_id)
                parsed.events.append(event)
    return parsed
