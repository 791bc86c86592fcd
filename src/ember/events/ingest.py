"""Taking events in: signed webhooks, the tracking snippet, CSV files.

The recipe: verify the signature, insert each event unless (source, external
id) is already stored, and hand back the ids that are new; the caller queues
work for those once its transaction has committed. Signed webhooks take the
group-committed path in :mod:`ember.events.intake`.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from ember.errors import Conflict, InvalidInput, NotFound, Problem, Unauthorized
from ember.events import repository
from ember.events.links import contact_from_token, identity_proven, identity_secret, site_key
from ember.events.parse import EventIn, Parsed, load_json
from ember.events.rules import EventType
from ember.models import EventSource
from ember.validation import parse_email

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
    import base64

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
