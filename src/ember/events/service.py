"""Events in and handled: webhooks and snippet beacons stored, CSV files imported, sources and
trigger rules kept, and one stored event handled (contact found, rules applied, alerts raised).

Taking events in: verify the signature, insert each event unless (source,
external id) is already stored, and hand back the ids that are new; the caller
queues work for those once its transaction has committed. Signed webhooks take
the group-committed path in :mod:`ember.events.intake`.

CSV files (webinar RSVP lists, podcast or newsletter subscribers): all rows or
none; any invalid row stops the import and every problem is listed as "line N,
column X". Importing the same file twice adds nothing: each row's id is the
file's id column, or else a hash of type, email and time.

Handling one stored event runs in a background job, one transaction per event.
The event is claimed first (pending -> handled) inside that transaction, so the
work happens once: a second worker finds nothing to claim, and a worker killed
halfway leaves the event pending for the sweep.

Trigger rules: admins edit everyone's rules (no team); managers their team's.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from ember.alerts import repository as alert_repository
from ember.cadence.bookings import booking_of
from ember.cadence.service import book_meeting, cancel_meeting, replan
from ember.contacts.repository import contact_by_id
from ember.deals.repository import deal_by_id
from ember.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem, ProblemList, Unauthorized
from ember.events import repository
from ember.events.rules import (
    ALIASES,
    DEFAULT_RULES,
    FUTURE_SLACK,
    SIGNAL_TYPES,
    Audience,
    ContactState,
    EventFact,
    EventIn,
    EventType,
    Parsed,
    RuleSpec,
    contact_from_token,
    count_in_window,
    dedup_key,
    fired_rules,
    identity_proven,
    identity_secret,
    load_json,
    site_key,
    what_happened,
)
from ember.messages.service import TeamLibraries
from ember.models import Contact, EventSource, InboundEvent, TriggerRule
from ember.nurture.service import reopen
from ember.settings import Settings
from ember.team_settings.effective import settings_for
from ember.touches import repository as touch_repository
from ember.users.access import Actor, require_manager
from ember.validation import parse_email
from ember.vocabulary import Role


@dataclass
class Outcome:
    handled: bool = False
    contact_id: int | None = None
    alert_ids: list[int] = field(default_factory=list)


@dataclass
class TriggerContext:
    """What one job needs to react to triggers, loaded at most once per job."""

    settings: Settings
    now: datetime
    libraries: TeamLibraries = field(default_factory=TeamLibraries, repr=False)

    def contact_state(self, session: Session, contact: Contact) -> ContactState:
        return ContactState(contact.status, repository.has_stalled_deal(session, contact.id))


def raise_alert(session: Session, contact: Contact, rule: RuleSpec, event: InboundEvent,
                history: Sequence[EventFact], ctx: TriggerContext) -> int | None:
    """The new alert's id, or None when this contact already has one for this rule and window."""
    if alert_repository.recent_alert_exists(session, contact.id, rule.id, ctx.now - rule.window):
        return None
    fact = EventFact(event.type, event.url, event.occurred_at)
    what = what_happened(event.type, event.url, count_in_window(rule, fact, history) if rule.min_count > 1 else 1)
    alert_id = alert_repository.insert_alert(session, {
        "dedup_key": dedup_key(contact.id, rule, event.occurred_at), "contact_id": contact.id,
        "rep_id": contact.owner_id, "rule_id": rule.id, "event_id": event.id, "summary": what,
        "status": "pending", "attempts": 0, "created_at": ctx.now,
    })
    if alert_id is None:
        return None  # another worker raised it a moment ago
    reopen(session, contact, reason="trigger", now=ctx.now)
    deal_id = touch_repository.default_deal_id(session, contact.id)
    team_id = repository.owner_team(session, contact.owner_id)
    team_settings = settings_for(session, ctx.settings, team_id)
    replan(session, contact, deal_by_id(session, deal_id) if deal_id else None, now=ctx.now,
            settings=team_settings.cadence.planning(), library=ctx.libraries.of_team(session, team_id))
    return alert_id


def _resolve_contact(session: Session, event: InboundEvent) -> Contact | None:
    """The contact an event belongs to: set by a signed link, by email, or by an earlier
    event of the same anonymous visitor that was tied to someone."""
    if event.contact_id is not None:
        return contact_by_id(session, event.contact_id)
    linked = (event.payload or {}).get("contact_id")
    if isinstance(linked, int) and (contact := contact_by_id(session, linked)) is not None:
        return contact
    contact = repository.contact_by_email(session, event.email) if event.email else None
    for visitor in _visitor_ids(event) if contact is None else []:
        known = repository.contact_id_for_anonymous(session, visitor)
        if known is not None:
            return contact_by_id(session, known)
    return contact


def _visitor_ids(event: InboundEvent) -> list[str]:
    """The stored ids this event speaks for: its own, and for an alias the person's other ids."""
    aliases = (event.payload or {}).get(ALIASES) if event.type == EventType.ALIAS else None
    others = [str(a) for a in aliases] if isinstance(aliases, list) else []
    return [event.anonymous_id, *others] if event.anonymous_id else others


ALIAS_HOPS = 3  # an alias of an alias of an alias: far enough for real sign-up flows, bounded for floods


def _earlier_unmatched(session: Session, event: InboundEvent) -> list[InboundEvent]:
    """Events of this visitor from before we knew who it was; they count from now on.

    Aliases are followed: the unmatched events of every id named together with this one
    (Segment's alias) become the same person's, a few hops deep.
    """
    found: dict[int, InboundEvent] = {}
    if event.email:
        found.update((e.id, e) for e in repository.unmatched_for_email(session, event.email))
    seen: set[str] = set()
    visitors = _visitor_ids(event)
    for _ in range(ALIAS_HOPS):
        fresh = [v for v in visitors if v not in seen]
        if not fresh:
            break
        seen.update(fresh)
        visitors = []
        for visitor in fresh:
            for past in repository.unmatched_for_anonymous(session, visitor):
                found[past.id] = past
                visitors += _visitor_ids(past)
    found.pop(event.id, None)
    return sorted(found.values(), key=lambda e: e.occurred_at)


def _rules(session: Session, contact: Contact) -> list[RuleSpec]:
    ensure_default_rules(session)
    team_id = repository.owner_team(session, contact.owner_id)
    return [repository.to_spec(rule) for rule in repository.rules_for_team(session, team_id)]


def _evaluate(session: Session, contact: Contact, events: list[InboundEvent], rules: list[RuleSpec],
              ctx: TriggerContext) -> list[int]:
    if not rules or not events:
        return []
    longest = max(rule.window for rule in rules)
    history = repository.recent_facts(session, contact.id, min(e.occurred_at for e in events) - longest)
    alert_ids: list[int] = []
    for event in events:
        state = ctx.contact_state(session, contact)
        fact = EventFact(event.type, event.url, event.occurred_at)
        for rule in fired_rules(rules, fact, history, state):
            if ctx.now - event.occurred_at > rule.window:
                continue  # a stale signal (late import, old anonymous visit) wakes nobody up
            alert_id = raise_alert(session, contact, rule, event, history, ctx)
            if alert_id is not None:
                alert_ids.append(alert_id)
    return alert_ids


def process_event(session: Session, event_id: int, *, settings: Settings, now: datetime) -> Outcome:
    """Claim and handle one event. Flushes only; the job commits."""
    event = repository.claim_event(session, event_id, now)
    if event is None:
        return Outcome()  # handled already (a retry, the sweep, or another worker)
    contact = _resolve_contact(session, event)
    if contact is None:
        return Outcome(handled=True)  # kept: matched later when the email appears
    # One worker at a time per contact (PostgreSQL row lock; SQLite writes are serial anyway):
    # the "is there a recent alert?" check and the insert must not interleave across workers.
    repository.lock_contact(session, contact.id)
    event.contact_id = contact.id
    earlier = _earlier_unmatched(session, event)
    for past in earlier:
        past.contact_id = contact.id
    session.flush()
    for each in (*earlier, event):
        _keep_booking(session, contact, each)
    ctx = TriggerContext(settings=settings, now=now)
    alert_ids = _evaluate(session, contact, [*earlier, event], _rules(session, contact), ctx)
    return Outcome(handled=True, contact_id=contact.id, alert_ids=alert_ids)


def _keep_booking(session: Session, contact: Contact, event: InboundEvent) -> None:
    """A booked meeting becomes a planned meeting touch; a cancelled one calls it off."""
    booking = booking_of(event.source, event.type, event.payload)
    if booking is None:
        return
    if booking.booked:
        book_meeting(session, contact, booking, source=event.source,
                     deal_id=touch_repository.default_deal_id(session, contact.id))
    else:
        cancel_meeting(session, booking)


def sweep_cutoff(now: datetime, grace_s: float) -> datetime:
    """Pending events older than this are not on their way through the queue any more."""
    return now - timedelta(seconds=grace_s)


MAX_WINDOW_HOURS = 24 * 365


@dataclass(frozen=True)
class RuleInput:
    name: str
    event_type: str
    url_pattern: str | None = None
    min_count: int = 1
    window_hours: int = 24 * 7
    audience: str = Audience.ANY.value


def rule_dict(rule: TriggerRule) -> dict[str, Any]:
    return {"id": rule.id, "name": rule.name, "event_type": rule.event_type, "url_pattern": rule.url_pattern,
            "min_count": rule.min_count, "window_hours": rule.window_hours, "audience": rule.audience,
            "active": rule.is_active, "team_id": rule.team_id}


def validate_rule(data: RuleInput) -> None:
    problems = ProblemList()
    if not data.name.strip() or len(data.name) > 100:
        problems.add("name", "must be 1-100 characters", "give the rule a short name")
    types = [t.value for t in SIGNAL_TYPES]
    if data.event_type not in types:
        problems.add("event_type", f"{data.event_type!r} is not an event type", f"use one of: {', '.join(types)}")
    if data.url_pattern is not None and len(data.url_pattern) > 300:
        problems.add("url_pattern", "is longer than 300 characters", "use shorter globs such as */pricing*")
    if not 1 <= data.min_count <= 1000:
        problems.add("min_count", f"{data.min_count} is out of range", "use a count from 1 to 1000")
    if not 1 <= data.window_hours <= MAX_WINDOW_HOURS:
        problems.add("window_hours", f"{data.window_hours} is out of range",
                     f"use 1 to {MAX_WINDOW_HOURS} hours (a year)")
    if data.audience not in {a.value for a in Audience}:
        problems.add("audience", f"{data.audience!r} is not an audience", "use nurture, stalled or any")
    problems.raise_if_any("the trigger rule is not valid")


def ensure_default_rules(session: Session) -> int:
    """Add the default rules when there are none at all (the migration adds them; a
    database emptied by hand gets them back). Rules are disabled, never deleted, so
    an empty table means nobody chose anything yet."""
    if repository.any_rule(session):
        return 0
    now = datetime.now(UTC)
    rows = [{"name": rule.name, "event_type": rule.event_type.value, "url_pattern": rule.url_pattern,
             "min_count": rule.min_count, "window_hours": rule.window_hours, "audience": rule.audience.value,
             "team_id": None, "is_active": True, "default_key": rule.key, "created_at": now}
            for rule in DEFAULT_RULES]
    repository.insert_default_rules(session, rows)  # another worker may be seeding too
    return len(rows)


def list_rules(session: Session, actor: Actor) -> list[TriggerRule]:
    ensure_default_rules(session)
    if actor.role is Role.ADMIN:
        return repository.all_rules(session)
    return repository.rules_for_team(session, actor.team_id, active_only=False)


def add_rule(session: Session, actor: Actor, data: RuleInput) -> TriggerRule:
    require_manager(actor)
    validate_rule(data)
    rule = TriggerRule(team_id=None if actor.role is Role.ADMIN else actor.team_id, name=data.name.strip(),
                       event_type=data.event_type, url_pattern=(data.url_pattern or "").strip() or None,
                       min_count=data.min_count, window_hours=data.window_hours, audience=data.audience)
    session.add(rule)
    session.flush()
    return rule


def editable_rule(session: Session, actor: Actor, rule_id: int) -> TriggerRule:
    rule = repository.rule_by_id(session, rule_id)
    visible = rule is not None and (actor.role is Role.ADMIN or rule.team_id in (None, actor.team_id))
    if rule is None or not visible:
        raise NotFound(f"trigger rule {rule_id} not found; see `ember rules list`")
    require_manager(actor)
    if actor.role is not Role.ADMIN and rule.team_id != actor.team_id:
        raise Forbidden(f"rule {rule_id} applies to every team; ask an admin to change it")
    return rule


def update_rule(session: Session, actor: Actor, rule_id: int, changes: dict[str, Any]) -> TriggerRule:
    rule = editable_rule(session, actor, rule_id)
    current = RuleInput(rule.name, rule.event_type, rule.url_pattern, rule.min_count, rule.window_hours,
                        rule.audience)
    fields = {k: v for k, v in changes.items()
              if k in RuleInput.__dataclass_fields__ and (v is not None or k == "url_pattern")}
    merged = RuleInput(**{**current.__dict__, **fields})
    validate_rule(merged)
    for key, value in fields.items():
        setattr(rule, key, value.strip() or None if key == "url_pattern" and isinstance(value, str) else value)
    if "active" in changes and changes["active"] is not None:
        rule.is_active = bool(changes["active"])
    session.flush()
    return rule


SOURCE_NAME_MAX = 100
_CACHE_TTL_S = 30.0


@dataclass(frozen=True)
class Accepted:
    source: str
    new_ids: list[int]
    duplicates: int
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "accepted": len(self.new_ids), "duplicates": self.duplicates,
                "skipped": self.skipped}


class SourceCache:
    """Sources and their secrets, read at most every few seconds instead of per request.

    A miss (unknown name or site key, or no secret verifies) reloads at once, so a
    source added a moment ago works on its first event.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded_at = 0.0
        self._by_name: dict[str, tuple[str, Webhook]] = {}
        self._by_site_key: dict[str, str] = {}
        self._identity_keys: dict[str, str] = {}

    def needs_load(self, *, force: bool = False) -> bool:
        return force or time.monotonic() - self._loaded_at >= _CACHE_TTL_S

    def load(self, session: Session, *, force: bool = False) -> None:
        with self._lock:
            if not self.needs_load(force=force):
                return
            rows = repository.all_sources(session)
            self._by_name = {row.name: (row.secret, Webhook(row.secret)) for row in rows}
            self._by_site_key = {site_key(row.secret): row.name for row in rows}
            self._identity_keys = {row.name: identity_secret(row.secret) for row in rows}
            self._loaded_at = time.monotonic()

    def size(self) -> int:
        return len(self._by_name)

    def candidates(self, hint: str | None) -> list[tuple[str, Webhook]]:
        if hint and hint in self._by_name:
            return [(hint, self._by_name[hint][1])]
        return [(name, hook) for name, (_, hook) in self._by_name.items()]

    def source_for_site_key(self, key: str) -> str | None:
        return self._by_site_key.get(key)

    def identity_key(self, source: str) -> str | None:
        return self._identity_keys.get(source)


def verify_with(load: Callable[[bool], None], cache: SourceCache, raw: bytes, headers: dict[str, str],
                query_source: str | None = None) -> tuple[str, Any]:
    """The name of the source whose secret signed this body, and the parsed body; 401 otherwise.

    The signature is checked over the raw bytes before any JSON is read: an unsigned
    request costs one HMAC per source, whatever it holds. ``load(force)`` refreshes
    the cache when it is stale (or, forced, after a miss).
    """
    if not all(headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature")):
        raise Unauthorized("the webhook-id, webhook-timestamp and webhook-signature headers are required "
                           "(Standard Webhooks); sign the request with the source's whsec_ secret")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unauthorized("the body is not UTF-8 text; send JSON") from exc
    last_error = "no event source is set up; create one with `ember sources add NAME`"
    for force in (False, True):
        load(force)
        for name, hook in cache.candidates(query_source):
            try:
                hook.verify(text, headers, json_parse=False)
            except WebhookVerificationError as exc:
                last_error = str(exc)
                if "timestamp" in last_error.lower():
                    break  # a stale or future timestamp fails for every secret alike
                continue
            except ValueError as exc:  # a signature header that is not "v1,<base64>"
                raise Unauthorized("the webhook-signature header is malformed; send it as v1,<base64 signature> "
                                   "(Standard Webhooks)") from exc
            return name, load_json(raw)
        if "timestamp" in last_error.lower():
            break
    raise Unauthorized(f"the webhook signature was not accepted ({last_error.lower()}); sign it with the "
                       "source's secret and send it within 5 minutes")


def store(session: Session, source: str, parsed: Parsed, *, now: datetime) -> Accepted:
    if parsed.problems:
        raise InvalidInput(f"{len(parsed.problems)} problem(s) in the events; nothing was stored", parsed.problems)
    new_ids = repository.insert_events(session, source, parsed.events, received_at=now)
    return Accepted(source, new_ids, len(parsed.events) - len(new_ids), parsed.skipped)


# ---- the tracking snippet -------------------------------------------------------

def receive_beacon(session: Session, cache: SourceCache, body: dict[str, Any], *, secret_key: str,
                   now: datetime | None = None) -> Accepted | None:
    """A page view or identify call from the snippet; None when the site key is unknown.

    The visitor is tied to a contact only by proof: a signed ``ember_cid`` from our
    emails, or an email with the HMAC the team's server made (``h``). An email
    without its proof is kept as ``unverified_email`` and ties the visit to nobody,
    so it can never raise an alert. The time is ours, not the browser's: visitors'
    clocks are often wrong.
    """
    now = now or datetime.now(UTC)
    key = str(body.get("k") or "")
    source = cache.source_for_site_key(key)
    if source is None:
        cache.load(session, force=True)
        source = cache.source_for_site_key(key)
    if source is None:
        return None
    parsed = Parsed()
    event_id = str(body.get("i") or "")
    if not event_id or len(event_id) > 200:
        parsed.problems.append(Problem("i", "the event id is missing or too long", "send a random id per event"))
        return store(session, source, parsed, now=now)
    kind = EventType.IDENTIFY.value if body.get("t") == "identify" else EventType.PAGE_VIEW.value
    contact_id = contact_from_token(secret_key, str(body["c"])) if body.get("c") else None
    url = str(body.get("u") or "")[:2000] or None
    payload: dict[str, Any] = {"referrer": str(body.get("r") or "")[:500], "title": str(body.get("n") or "")[:300]}
    email = _claimed_email(body)
    if email is not None and not identity_proven(cache.identity_key(source) or "", email, str(body.get("h") or "")):
        # Anyone can claim any address from a browser: kept for the record, tied to nobody.
        payload["unverified_email"], email = email, None
    if contact_id is not None:
        # Checked by the job: the contact may have been deleted since the email went out.
        payload["contact_id"] = contact_id
    anonymous_id = str(body.get("a") or "")[:200] or None
    parsed.events.append(EventIn(event_id, kind, now, email, anonymous_id, url, payload))
    return store(session, source, parsed, now=now)


def _claimed_email(body: dict[str, Any]) -> str | None:
    try:
        return parse_email(str(body["e"])[:320]) if body.get("e") else None
    except ValueError:
        return None  # a typo in a form field must not lose the page view


# ---- sources -------------------------------------------------------------------

def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def add_source(session: Session, name: str) -> EventSource:
    name = name.strip()
    if not name or len(name) > SOURCE_NAME_MAX or not name.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput(f"{name!r} is not a usable source name", [Problem(
            "NAME", "must be 1-100 letters, digits, - or _", "use a short name like website or webinars")])
    if repository.source_by_name(session, name) is not None:
        raise Conflict(f"a source named {name} already exists; see `ember sources list`")
    source = EventSource(name=name, secret=new_secret())
    session.add(source)
    session.flush()
    return source


def get_source(session: Session, name: str) -> EventSource:
    source = repository.source_by_name(session, name)
    if source is None:
        raise NotFound(f"no event source named {name}; create it with `ember sources add {name}`")
    return source


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
        for column, aliases in COLUMNS.items():
            if _key(header) in aliases and column not in found:
                found[column] = header
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


# ---- sources as admins manage them (the whole installation's, not a team's) --------

@dataclass(frozen=True)
class SourceKeys:
    name: str
    site_key: str
    secret: str | None = None  # only right after it was created
    identity_secret: str | None = None


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only admins manage event sources")


def list_sources(session: Session, actor: Actor) -> list[SourceKeys]:
    _require_admin(actor)
    return [SourceKeys(s.name, site_key(s.secret)) for s in repository.all_sources(session)]


def create_source(session: Session, actor: Actor, name: str) -> SourceKeys:
    """A new source with its signing secret, identity secret and snippet key (shown once on the desk)."""
    _require_admin(actor)
    source = add_source(session, name)
    return SourceKeys(source.name, site_key(source.secret), source.secret, identity_secret(source.secret))
