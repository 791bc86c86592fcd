"""The pure part of events: what tools send turned into events, the trigger rules, signed links. No I/O.

* Parsing (our schema, Segment track/page/identify): every problem is collected
  with where it is (item and field) and how to fix it, and a batch with any
  invalid item is refused as a whole: nothing half-stored.
* Trigger rules: which events mean a contact is warm again. A rule names an
  event type, optionally URL patterns (globs) for the hot pages, how many
  matching events it takes within a window, and which contacts it is for
  (those on the nurture list, those on a stalled deal, or anyone).
* Signed contact links for our emails, the public site key of a source, and
  identity verification for the snippet. A link in an email carries
  ``?ember_cid=<token>``; the tracking snippet sends it back with page views,
  which ties the visit to the contact. The token is signed with the app secret
  (itsdangerous), so nobody can forge one for another contact. It does not
  expire: people read emails weeks later. An email given to ``ember.identify``
  counts only with its proof: an HMAC-SHA256 of the address that the team's own
  server computes with the source's identity secret (never published) and
  prints into the page, as Intercom's identity verification works. Anyone can
  call ``identify`` with any address in a browser; only the team's server can
  prove it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from itsdangerous import BadSignature, URLSafeSerializer

from ember.errors import InvalidInput, Problem
from ember.validation import parse_email
from ember.vocabulary import EventType

# Payload field of an alias event: the other stored visitor ids of the same person.
ALIASES = "aliases"
# Recorded but never a sign of interest on their own.
NOT_SIGNALS = (EventType.IDENTIFY, EventType.NEWSLETTER_UNSUBSCRIBE, EventType.MEETING_CANCELED, EventType.ALIAS)
SIGNAL_TYPES = tuple(t for t in EventType if t not in NOT_SIGNALS)


class Audience(StrEnum):
    NURTURE = "nurture"  # said no (or added by hand): the rule re-opens them
    STALLED = "stalled"  # on a deal that went quiet
    ANY = "any"


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: int
    name: str
    event_type: str
    url_pattern: str | None = None
    min_count: int = 1
    window_hours: int = 24 * 7
    audience: str = Audience.ANY.value
    is_active: bool = True

    @property
    def window(self) -> timedelta:
        return timedelta(hours=self.window_hours)


@dataclass(frozen=True, slots=True)
class EventFact:
    type: str
    url: str | None
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class ContactState:
    status: str  # active | nurture | do-not-contact
    stalled: bool  # on an open deal marked stalled


@dataclass(frozen=True, slots=True)
class DefaultRule:
    name: str
    event_type: EventType
    url_pattern: str | None = None
    min_count: int = 1
    window_hours: int = 24 * 7
    audience: Audience = Audience.ANY

    @property
    def key(self) -> str:
        """Stable identity of a shipped rule, so seeding it twice at once inserts it once."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")[:60]


# Sensible defaults: hot pages and every explicit sign of interest.
DEFAULT_RULES: tuple[DefaultRule, ...] = (
    DefaultRule("Pricing page visit", EventType.PAGE_VIEW, "*/pricing*"),
    DefaultRule("Demo page visit", EventType.PAGE_VIEW, "*/demo*"),
    DefaultRule("Case study read", EventType.PAGE_VIEW, "*/case-stud*, */customers/*"),
    DefaultRule("Back on the site three times in a day", EventType.PAGE_VIEW, None, 3, 24, Audience.NURTURE),
    DefaultRule("Newsletter subscription", EventType.NEWSLETTER_SUBSCRIBE),
    DefaultRule("Podcast subscription", EventType.PODCAST_SUBSCRIBE),
    DefaultRule("Webinar or event RSVP", EventType.WEBINAR_RSVP),
    DefaultRule("Shared our content", EventType.CONTENT_SHARE),
    DefaultRule("Used the demo", EventType.DEMO_USE),
    DefaultRule("Replied to an email", EventType.EMAIL_REPLY),
    DefaultRule("Clicked a link in an email", EventType.EMAIL_CLICK),
    DefaultRule("Booked a meeting", EventType.MEETING_BOOKED),
    DefaultRule("Filled in a form", EventType.FORM_SUBMIT),
    DefaultRule("Attended a webinar", EventType.WEBINAR_ATTEND),
)

# Completes the sentence "they ..." (the planner and the alert text use it).
_WHAT = {
    EventType.PAGE_VIEW: "visited {page}",
    EventType.NEWSLETTER_SUBSCRIBE: "subscribed to the newsletter",
    EventType.PODCAST_SUBSCRIBE: "subscribed to the podcast",
    EventType.WEBINAR_RSVP: "signed up for a webinar or event",
    EventType.CONTENT_SHARE: "shared one of our posts",
    EventType.DEMO_USE: "tried the demo",
    EventType.EMAIL_REPLY: "replied to an email",
    EventType.EMAIL_CLICK: "clicked a link in an email",
    EventType.MEETING_BOOKED: "booked a meeting",
    EventType.FORM_SUBMIT: "filled in one of our forms",
    EventType.WEBINAR_ATTEND: "attended a webinar",
    EventType.IDENTIFY: "identified themselves on the website",
    EventType.NEWSLETTER_UNSUBSCRIBE: "unsubscribed from the newsletter",
    EventType.MEETING_CANCELED: "cancelled a meeting they had booked",
    EventType.ALIAS: "were recognised under another id",
}


def patterns(url_pattern: str | None) -> list[str]:
    """A rule may list several globs, separated by commas or spaces."""
    if not url_pattern:
        return []
    return [part for part in url_pattern.replace(",", " ").split() if part]


def url_matches(url_pattern: str | None, url: str | None) -> bool:
    """Glob match on the whole URL or on its path, ignoring case and any query string.

    "*/pricing*" matches "https://acme.com/pricing?plan=team" and "/pricing".
    """
    globs = patterns(url_pattern)
    if not globs:
        return True
    if not url:
        return False
    text = url.strip().lower()
    parts = urlsplit(text)
    candidates = {text, text.split("?", 1)[0].split("#", 1)[0], parts.path or "/"}
    return any(fnmatchcase(candidate, glob.lower()) for glob in globs for candidate in candidates)


def event_matches(rule: RuleSpec, event: EventFact) -> bool:
    return rule.is_active and rule.event_type == event.type and url_matches(rule.url_pattern, event.url)


def audience_matches(rule: RuleSpec, contact: ContactState) -> bool:
    if contact.status == "do-not-contact":
        return False  # never wake a rep up for someone who asked not to be contacted
    if rule.audience == Audience.NURTURE:
        return contact.status == "nurture"
    if rule.audience == Audience.STALLED:
        return contact.stalled
    return True


def count_in_window(rule: RuleSpec, event: EventFact, history: Iterable[EventFact]) -> int:
    """Matching events in the window that ends with ``event`` (``history`` may include it)."""
    start = event.occurred_at - rule.window
    return sum(1 for past in history if start <= past.occurred_at <= event.occurred_at and event_matches(rule, past))


def fired_rules(rules: Sequence[RuleSpec], event: EventFact, history: Sequence[EventFact],
                contact: ContactState) -> list[RuleSpec]:
    """The rules this event completes, for this contact, given its recent events."""
    return [rule for rule in rules
            if event_matches(rule, event) and audience_matches(rule, contact)
            and count_in_window(rule, event, history) >= rule.min_count]


def first_firings(rule: RuleSpec, events: Sequence[EventFact], contact: ContactState) -> list[tuple[EventFact, int]]:
    """The events of one contact (any order) at which ``rule`` would have fired, with the count reached;
    once it fired, the rest of that window is one alert, as ``dedup_key`` makes it."""
    ordered = sorted(events, key=lambda e: e.occurred_at)
    firings: list[tuple[EventFact, int]] = []
    fired_bucket: int | None = None
    for event in ordered:
        if not fired_rules([rule], event, ordered, contact):
            continue
        bucket = window_bucket(rule, event.occurred_at)
        if bucket != fired_bucket:
            firings.append((event, count_in_window(rule, event, ordered)))
            fired_bucket = bucket
    return firings


def window_bucket(rule: RuleSpec, occurred_at: datetime) -> int:
    """Fixed windows since the epoch: one alert per contact, rule and window."""
    return int(occurred_at.timestamp() // (max(rule.window_hours, 1) * 3600))


def dedup_key(contact_id: int, rule: RuleSpec, occurred_at: datetime) -> str:
    return f"trigger:{contact_id}:{rule.id}:{window_bucket(rule, occurred_at)}"


def _page(url: str | None) -> str:
    if not url:
        return "the website"
    path = urlsplit(url).path or "/"
    lowered = path.lower()
    for word, name in (("pricing", "the pricing page"), ("demo", "the demo page"),
                       ("case-stud", "a case study"), ("customers", "a customer story")):
        if word in lowered:
            return f"{name} ({path})"
    return f"the page {path}"


def what_happened(event_type: str, url: str | None, count: int = 1) -> str:
    """Words that complete "they ...", e.g. "visited the pricing page (/pricing)"."""
    try:
        template = _WHAT[EventType(event_type)]
    except ValueError:
        template = f"sent the event {event_type}"
    text = template.format(page=_page(url))
    return f"{text} ({count} times)" if count > 1 else text


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


def belongs_to_nobody(event: EventIn, *, contact_emails: Container[str], tied_visitors: Container[str]) -> bool:
    """An event that can be stored handled: no contact could be found behind it now.

    The test of :func:`ember.events.repository.claim_contactless` (no signed-link contact,
    no contact with the email, not an alias), with its "no recent event of the visitor tied
    to a contact" asked more strictly: no event of the visitor ever was (``tied_visitors``
    holds those that were). An event that fails it is stored pending and takes that claim.
    """
    return (event.type != EventType.ALIAS and event.payload.get("contact_id") is None
            and (event.email is None or event.email not in contact_emails)
            and (event.anonymous_id is None or event.anonymous_id not in tied_visitors))


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


LINK_PARAMETER = "ember_cid"
_SALT = "ember.contact-link"


def contact_token(secret_key: str, contact_id: int) -> str:
    return str(URLSafeSerializer(secret_key, salt=_SALT).dumps(contact_id))


def contact_from_token(secret_key: str, token: str) -> int | None:
    """The contact id a token was made for, or None when it is forged or damaged."""
    try:
        value = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def tracked_url(secret_key: str, url: str, contact_id: int) -> str:
    """``url`` with the contact parameter added, for links in emails to that contact."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != LINK_PARAMETER]
    query.append((LINK_PARAMETER, contact_token(secret_key, contact_id)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def site_key(secret: str) -> str:
    """The public key the snippet uses for a source. Derived one way from the webhook
    secret, so publishing it on a website reveals nothing that signs webhooks."""
    digest = hmac.new(secret.encode(), b"ember.site-key", hashlib.sha256).digest()
    return "site_" + base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def identity_secret(secret: str) -> str:
    """The key a team's server proves visitors' emails with. Derived one way from the
    webhook secret (so it signs no webhook), and changes with it."""
    digest = hmac.new(secret.encode(), b"ember.identity-secret", hashlib.sha256).digest()
    return "idv_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def identity_hash(identity_key: str, email: str) -> str:
    """What the team's server computes for a visitor: hex HMAC-SHA256 of the lower-cased email."""
    return hmac.new(identity_key.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


def identity_proven(identity_key: str, email: str, proof: str) -> bool:
    return hmac.compare_digest(identity_hash(identity_key, email), proof.strip().lower())
