"""Setting up the sources tools send to: kinds, write keys, provider secrets, mappings.

Services flush; the caller's transaction commits. A write key is returned once,
when it is made: only its hash is stored.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from ember.errors import Forbidden, InvalidInput, NotFound, Problem
from ember.events import repository as events_repository
from ember.events import service as event_service
from ember.events.rules import EventIn, belongs_to_nobody, contact_from_token, identity_secret, site_key
from ember.models import EventSource
from ember.tracking import repository
from ember.tracking.batches import events_of, scope_of, stored_calls
from ember.tracking.keys import KeyScope, key_hash, new_write_key, shown_prefix
from ember.tracking.mapping import (
    PROVIDER_KINDS,
    EventMap,
    SourceKind,
    event_map,
    merged_overrides,
    validate_overrides,
)
from ember.tracking.providers.mailchimp import KEY_PARAMETER
from ember.tracking.providers.registry import PROVIDERS
from ember.tracking.repository import StoredBatch
from ember.tracking.segment import Sender, parse_calls
from ember.users.access import Actor

log = logging.getLogger(__name__)

PROVIDER_SECRET_MAX = 300
KINDS = ", ".join(k.value for k in SourceKind)


@dataclass(frozen=True)
class SourceSetup:
    """What to paste into the tool, as `ember sources add/show` and the settings page show it."""

    name: str
    kind: str
    address: str
    secret: str | None = None  # what the tool signs with, when Ember made it (or the whsec_ of a webhook source)
    write_key: str | None = None  # only right after it was made
    needs_secret: bool = False  # the tool makes the secret: paste it with `ember sources secret NAME`
    steps: list[str] = field(default_factory=list)
    keys: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "address": self.address, "secret": self.secret,
                "write_key": self.write_key, "needs_secret": self.needs_secret, "steps": self.steps,
                "keys": self.keys}


def require_admin(actor: Actor) -> None:
    """Sources belong to the whole installation: only admins make them or read their secrets."""
    if not actor.is_admin:
        raise Forbidden("only admins manage event sources")


def parse_kind(kind: str) -> SourceKind:
    try:
        return SourceKind(kind.strip().lower())
    except ValueError:
        raise InvalidInput(f"{kind!r} is not a kind of source", [Problem("--kind", kind, f"use one of: {KINDS}")]) \
            from None


def get_source(session: Session, name: str) -> EventSource:
    source = repository.source_by_name(session, name)
    if source is None:
        raise NotFound(f"no event source named {name}; see `ember sources list`")
    return source


def add_source(session: Session, name: str, kind: str = "webhook", *, provider_secret: str | None = None,
               base_url: str) -> SourceSetup:
    """A new source of this kind, with what it needs: a write key, a secret Ember makes, or room for the tool's."""
    source_kind = parse_kind(kind)
    if provider_secret is not None:
        _check_secret(provider_secret)
    source = event_service.add_source(session, name)
    source.kind = source_kind.value
    write_key = None
    if source_kind is SourceKind.SEGMENT:
        write_key = _make_key(session, source, KeyScope.SERVER)
    elif source_kind in PROVIDER_KINDS:
        made_by_ember = PROVIDERS[source_kind.value].ember_makes_secret
        source.provider_secret = provider_secret or (secrets.token_urlsafe(32) if made_by_ember else None)
    session.flush()
    return describe(session, source, base_url, write_key=write_key)


def _make_key(session: Session, source: EventSource, scope: KeyScope) -> str:
    key = new_write_key(scope)
    repository.add_key(session, source.id, key_hash(key), shown_prefix(key), scope.value)
    return key


def add_write_key(session: Session, name: str, scope: str, *, base_url: str) -> SourceSetup:
    """Another write key for a Segment source (server, or browser for analytics.js); shown this once."""
    source = get_source(session, name)
    if source.kind != SourceKind.SEGMENT:
        raise InvalidInput(f"{name} is a {source.kind} source", [Problem(
            "NAME", "write keys belong to segment sources", "create one with `ember sources add NAME --kind segment`")])
    try:
        key_scope = KeyScope(scope)
    except ValueError:
        raise InvalidInput(f"{scope!r} is not a key scope", [Problem("--scope", scope, "use server or browser")]) \
            from None
    return describe(session, source, base_url, write_key=_make_key(session, source, key_scope))


def revoke_write_key(session: Session, name: str, prefix: str, *, now: datetime | None = None) -> int:
    source = get_source(session, name)
    count = repository.revoke_keys(session, source.id, prefix.strip()[:16], now or datetime.now(UTC))
    if count == 0:
        raise NotFound(f"{name} has no live write key starting {prefix!r}; see `ember sources show {name}`")
    return count


def _check_secret(secret: str) -> None:
    if not secret.strip() or len(secret) > PROVIDER_SECRET_MAX:
        raise InvalidInput("the secret is not usable", [Problem(
            "secret", f"must be 1-{PROVIDER_SECRET_MAX} characters", "paste the secret exactly as the tool shows it")])


def rotate_secret(session: Session, name: str, *, base_url: str) -> SourceSetup:
    """A new secret Ember makes (a webhook source's whsec_, Calendly's signing key, Typeform's, Mailchimp's
    address key); the old one stops verifying. Returned this once, with the address that goes with it."""
    source = get_source(session, name)
    if source.kind == SourceKind.WEBHOOK:
        source.secret = event_service.new_secret()
    elif source.kind in PROVIDERS and PROVIDERS[source.kind].ember_makes_secret:
        source.provider_secret = secrets.token_urlsafe(32)
    else:
        fix = ("make a new write key, then revoke the old one" if source.kind == SourceKind.SEGMENT
               else f"make a new secret in {PROVIDERS[source.kind].label} and paste it here")
        raise InvalidInput(f"Ember does not make the secret of {name}", [Problem("secret", source.kind, fix)])
    session.flush()
    return describe(session, source, base_url)


def set_provider_secret(session: Session, name: str, secret: str) -> EventSource:
    """Store the secret a tool made (Zoom's Secret Token, HubSpot's client secret, Kit's endpoint secret)."""
    source = get_source(session, name)
    if source.kind not in PROVIDERS:
        raise InvalidInput(f"{name} is a {source.kind} source", [Problem(
            "NAME", "only tool sources (mailchimp, kit, zoom, calendly, hubspot, typeform) keep a tool's secret",
            "pick the right source")])
    _check_secret(secret)
    source.provider_secret = secret.strip()
    session.flush()
    return source


def address(source: EventSource, base_url: str) -> str:
    base = base_url.rstrip("/")
    if source.kind == SourceKind.SEGMENT:
        return base
    if source.kind == SourceKind.WEBHOOK:
        return f"{base}/events?source={source.name}"
    if source.kind == SourceKind.MAILCHIMP:
        return f"{base}/hooks/{source.name}?{KEY_PARAMETER}={source.provider_secret or ''}"
    return f"{base}/hooks/{source.name}"


_STEPS: dict[str, list[str]] = {
    "webhook": ["Sign each POST with the secret (Standard Webhooks); see docs/integrations.md."],
    "segment": ["Point the library's host (Segment's, RudderStack's or analytics.js's API host) at the address.",
                "Use the write key as the library's write key; make a browser key for web pages "
                "(`ember sources key NAME --scope browser`)."],
    "mailchimp": ["Audience > Settings > Webhooks: paste the address (it carries the key), tick subscribes "
                  "and unsubscribes."],
    "kit": ["Create a webhook endpoint with the address; paste the secret Kit shows once with "
            "`ember sources secret NAME`."],
    "zoom": ["In the app's Event Subscriptions, paste the address and validate it after pasting the app's "
             "Secret Token with `ember sources secret NAME`; subscribe to webinar registrations and joins."],
    "calendly": ["Create a webhook subscription for invitee.created and invitee.canceled with the address as url "
                 "and the secret as signing_key."],
    "hubspot": ["In the app's Webhooks settings, paste the address as target URL; paste the app's client secret "
                "with `ember sources secret NAME`. Workflows can also send a webhook to it."],
    "typeform": ["The form's Connect > Webhooks: add the address, paste the secret into Secret, turn it on."],
}


def describe(session: Session, source: EventSource, base_url: str, *, write_key: str | None = None,
             show_secret: bool = True) -> SourceSetup:
    kind = source.kind
    secret: str | None = None
    if kind == SourceKind.WEBHOOK:
        secret = source.secret
    elif kind in PROVIDERS and PROVIDERS[kind].ember_makes_secret:
        secret = source.provider_secret
    keys = [{"prefix": k.prefix, "scope": k.scope, "created_at": k.created_at.isoformat(),
             "revoked": k.revoked_at is not None} for k in repository.keys_of(session, source.id)]
    return SourceSetup(source.name, kind, address(source, base_url), secret if show_secret else None, write_key,
                       kind in PROVIDERS and not source.provider_secret, list(_STEPS.get(kind, [])), keys)


def source_rows(session: Session, base_url: str) -> list[dict[str, Any]]:
    """Every source with its address and site key; secrets stay out of lists."""
    return [{**describe(session, s, base_url, show_secret=False).as_dict(), "site_key": site_key(s.secret)}
            for s in repository.all_sources(session)]


# ---- batches the worker writes out ----------------------------------------------

def write_out_batches(session: Session, prepared: Sequence[tuple[StoredBatch, list[EventIn]]],
                      now: datetime) -> list[int]:
    """Take the batch rows and write their events (made beforehand by :func:`events_of_batch`); the ids
    of the new events someone may be behind, for the full path.

    The events that belong to nobody (most: strangers' page views) are stored handled at once,
    in the same transaction, so they cost one insert and nothing after it. Batches another worker
    took first write nothing; a messageId sent in two of these batches is kept from the first,
    as writing them one after the other would.
    """
    conn = session.connection()
    taken = repository.take_batches(conn, [batch.id for batch, _ in prepared])
    rows: list[tuple[str, EventIn, datetime]] = []
    seen: set[tuple[str, str]] = set()
    for batch, events in prepared:
        if batch.id not in taken:
            continue
        for event in events:
            if (batch.source, event.external_id) not in seen:
                seen.add((batch.source, event.external_id))
                rows.append((batch.source, event, batch.received_at))
    tied = events_repository.tied_visitors(conn, sorted({e.anonymous_id for _, e, _ in rows if e.anonymous_id}))
    emails = events_repository.contact_emails(conn, sorted({e.email for _, e, _ in rows if e.email}))
    settled: list[tuple[str, EventIn, datetime]] = []
    pending: list[tuple[str, EventIn, datetime]] = []
    for source, event, received_at in rows:
        nobody = belongs_to_nobody(event, contact_emails=emails, tied_visitors=tied)
        (settled if nobody else pending).append((source, event, received_at))
    events_repository.insert_settled_events(conn, settled, now)
    return [new.id for new in events_repository.insert_events_returning_keys(conn, pending)]


def events_of_batch(session: Session, batch: StoredBatch, secret_key: str,
                    senders: dict[tuple[str, KeyScope], Sender | None]) -> list[EventIn]:
    """The events a stored batch makes. Reads only (the source): no write lock while calls are parsed.

    ``secret_key`` checks the signed links from our emails that calls carry; ``senders`` keeps each
    source read once per job."""
    scope = scope_of(batch.payload)
    if scope is None:
        return events_of(batch.payload)
    if (batch.source, scope) not in senders:
        senders[batch.source, scope] = _sender(session, batch.source, scope, secret_key)
    sender = senders[batch.source, scope]
    if sender is None:
        log.warning("calls stored for source %s dropped: the source is gone", batch.source)
        return []
    # Sizes were checked on the way in.
    parsed = parse_calls(sender, stored_calls(batch.payload), None, batch.received_at, body_bytes=0)
    if parsed.problems:  # checked on the way in: only a change of the checks since could find any
        log.warning("%d call(s) stored for source %s dropped: %s", len(parsed.problems), batch.source,
                    "; ".join(f"{p.where} {p.what}" for p in parsed.problems[:5]))
    return parsed.events


def _sender(session: Session, name: str, scope: KeyScope, secret_key: str) -> Sender | None:
    """Who sent stored calls, as the source is now (its mapping) and as the key was (its scope)."""
    source = repository.source_by_name(session, name)
    if source is None:
        return None
    return Sender(source.name, scope, event_map(source.kind, source.mapping), identity_secret(source.secret),
                  partial(contact_from_token, secret_key))


# ---- mapping -------------------------------------------------------------------

def mapping_of(session: Session, name: str) -> EventMap:
    source = get_source(session, name)
    return event_map(source.kind, source.mapping)


def update_mapping(session: Session, actor: Actor, name: str, changes: dict[str, str | None],
                   url_from: list[str] | None = None) -> EventMap:
    """An admin's changes: provider event name -> Ember event type (None switches it off). A source
    feeds every team, so its mapping is the installation's, not one team's."""
    require_admin(actor)
    source = get_source(session, name)
    validate_overrides(changes, url_from)
    source.mapping = merged_overrides(source.mapping, changes, url_from)
    session.flush()
    return event_map(source.kind, source.mapping)


def reset_mapping(session: Session, actor: Actor, name: str) -> EventMap:
    require_admin(actor)
    source = get_source(session, name)
    source.mapping = None
    session.flush()
    return event_map(source.kind, None)


# ---- a sample through the real path (`ember sources test`) -----------------------

@dataclass(frozen=True)
class SampleRequest:
    url: str
    body: bytes
    headers: dict[str, str]
    temporary_key: str | None = None  # a Segment key made for the test, revoked afterwards


def sample_request(session: Session, name: str, email: str, base_url: str, now: datetime) -> SampleRequest:
    """The request the tool behind ``name`` would send about ``email``, signed with the source's secret."""
    source = get_source(session, name)
    base = base_url.rstrip("/")
    if source.kind == SourceKind.SEGMENT:
        return _segment_sample(session, source, email, base, now)
    if source.kind == SourceKind.WEBHOOK:
        return _webhook_sample(source, email, base, now)
    provider = PROVIDERS[source.kind]
    if not source.provider_secret:
        raise InvalidInput(f"{name} has no {provider.label} secret yet", [Problem(
            "secret", "is missing", f"paste it with `ember sources secret {name}`")])
    raw, headers, url = provider.outgoing(source.provider_secret, provider.sample(email, now), address(source, base),
                                          now)
    return SampleRequest(url, raw, headers)


def _segment_sample(session: Session, source: EventSource, email: str, base: str, now: datetime) -> SampleRequest:
    key = _make_key(session, source, KeyScope.SERVER)
    call = {"type": "page", "messageId": f"ember-test-{now.timestamp()}", "userId": email,
            "traits": {"email": email}, "timestamp": now.isoformat(),
            "properties": {"url": f"{base}/pricing", "path": "/pricing", "title": "Pricing (sample)"}}
    auth = base64.b64encode(f"{key}:".encode()).decode()
    return SampleRequest(f"{base}/v1/batch", json.dumps({"batch": [call], "sentAt": now.isoformat()}).encode(),
                         {"Content-Type": "application/json", "Authorization": f"Basic {auth}"}, key)


def _webhook_sample(source: EventSource, email: str, base: str, now: datetime) -> SampleRequest:
    event_id = f"ember-test-{int(now.timestamp())}"
    raw = json.dumps({"source": source.name, "type": "newsletter_subscribe", "id": event_id, "email": email,
                      "occurred_at": now.isoformat()})
    signature = Webhook(source.secret).sign(event_id, now, raw)
    return SampleRequest(f"{base}/events?source={source.name}", raw.encode(), {
        "Content-Type": "application/json", "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": signature})


def forget_temporary_key(session: Session, name: str, key: str, now: datetime) -> None:
    source = get_source(session, name)
    repository.revoke_keys(session, source.id, shown_prefix(key), now)
