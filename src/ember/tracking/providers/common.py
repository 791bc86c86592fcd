"""What every provider module needs: the delivery as received, HMACs, time checks. Pure."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ember.errors import Unauthorized
from ember.events.rules import EventIn, Parsed
from ember.tracking.mapping import EventMap
from ember.validation import parse_email


@dataclass(frozen=True)
class Delivery:
    """One request from a tool, as it arrived (header names lower-case)."""

    raw: bytes
    headers: Mapping[str, str]
    method: str
    url: str  # the address the tool called, as it called it
    query: Mapping[str, str] = field(default_factory=dict)
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "").strip()


@dataclass(frozen=True)
class Provider:
    kind: str
    label: str  # the tool's name, for messages
    ember_makes_secret: bool  # False: the tool makes it and the user pastes it into Ember
    verify: Callable[[Delivery, str], None]  # raises Unauthorized
    parse: Callable[[Delivery, EventMap], Parsed]
    sample: Callable[[str, datetime], dict[str, Any]]  # a documented-shape event for `ember sources test`
    # (secret, body, address, now) -> the request the tool would send: (raw body, headers, address).
    outgoing: Callable[[str, dict[str, Any], str, datetime], tuple[bytes, dict[str, str], str]]
    # Answers a tool's own handshake (Zoom's URL validation): the JSON to send back, or None.
    challenge: Callable[[Delivery, str], dict[str, Any] | None] = lambda delivery, secret: None


def hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def hex_hmac(secret: str, message: bytes) -> str:
    return hmac_sha256(secret, message).hex()


def b64_hmac(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac_sha256(secret, message)).decode()


def same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.strip().encode())


def require(value: str, what: str, label: str) -> str:
    if not value:
        raise Unauthorized(f"the {what} header is missing; only {label} can send to this address")
    return value


def check_fresh(seconds: float, received_at: datetime, tolerance_s: float, label: str) -> None:
    """Refuse a signature made too long ago (or ahead): a replayed delivery."""
    age = received_at.timestamp() - seconds
    if abs(age) > tolerance_s:
        when = "old" if age > 0 else "far in the future"
        raise Unauthorized(f"the {label} signature timestamp is too {when} ({int(abs(age))} s; at most "
                           f"{int(tolerance_s)} s allowed); check the clock of this server")


def parse_timestamp(value: str, label: str, *, milliseconds: bool = False) -> float:
    try:
        number = float(value)
    except ValueError:
        raise Unauthorized(f"the {label} signature timestamp {value[:40]!r} is not a number") from None
    return number / 1000 if milliseconds else number


def signature_parts(header: str) -> dict[str, list[str]]:
    """``t=1492774577,v1=abc,v1=def`` -> {"t": ["1492774577"], "v1": ["abc", "def"]}."""
    parts: dict[str, list[str]] = {}
    for piece in header.split(","):
        name, _, value = piece.strip().partition("=")
        if value:
            parts.setdefault(name.strip(), []).append(value.strip())
    return parts


def sign_timestamped(key: str, body: bytes, at: int) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">``, the scheme Kit and Calendly share."""
    return f"t={at},v1={hex_hmac(key, f'{at}.'.encode() + body)}"


def verify_timestamped(delivery: Delivery, key: str, *, header: str, header_name: str, label: str,
                       tolerance_s: float, fix: str) -> None:
    """Check a ``t=…,v1=…`` signature header and its age; ``fix`` says what to do on a mismatch."""
    parts = signature_parts(require(delivery.header(header), header_name, label))
    if not parts.get("t") or not parts.get("v1"):
        raise Unauthorized(f"the {header_name} header must read t=<timestamp>,v1=<signature>")
    at = parts["t"][0]
    expected = hex_hmac(key, f"{at}.".encode() + delivery.raw)
    if not any(same(expected, given) for given in parts["v1"]):
        raise Unauthorized(f"the {label} signature does not match; {fix}")
    check_fresh(parse_timestamp(at, label), delivery.received_at, tolerance_s, label)


def email_of(value: Any) -> str | None:
    if not isinstance(value, str) or "@" not in value:
        return None
    try:
        return parse_email(value[:320])
    except ValueError:
        return None


def iso_time(value: Any, fallback: datetime) -> datetime:
    """A provider's ISO 8601 time, never after we received it; ours when absent or unreadable."""
    if isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return fallback
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return min(moment.astimezone(UTC), fallback)
    return fallback


def epoch_time(value: Any, fallback: datetime, *, milliseconds: bool = True) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        moment = datetime.fromtimestamp(value / 1000 if milliseconds else value, UTC)
        return min(moment, fallback)
    return fallback


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def add_event(parsed: Parsed, mapping: EventMap, name: str, *, external_id: str, occurred_at: datetime,
              email: str | None, where: str, url: str | None = None, payload: dict[str, Any] | None = None) -> None:
    """Map one provider event; skipped when the mapping does not use it, refused without a contact key."""
    type_ = mapping.type_for(name)
    if type_ is None:
        parsed.skipped.append(name or "(unnamed event)")
        return
    if email is None and not (payload or {}).get("hubspot_object_id"):
        # A guest without an address (a Zoom attendee, say): nobody to tie it to; a refusal
        # would only make the tool retry it.
        parsed.skipped.append(f"{name} without an email address ({where})")
        return
    parsed.events.append(EventIn(external_id[:200], type_, occurred_at, email, None,
                                 (url or None) and str(url)[:2000], {"event": name, **(payload or {})}))
