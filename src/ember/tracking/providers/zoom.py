"""Zoom: ``x-zm-signature: v0=<hex HMAC-SHA256 of "v0:<x-zm-request-timestamp>:<body>">`` keyed
with the app's Secret Token (Zoom makes it; paste it into Ember). Zoom checks the endpoint
first with ``endpoint.url_validation``: we answer ``{plainToken, encryptedToken}``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ember.cadence.bookings import BOOKING, START, TITLE
from ember.errors import Unauthorized
from ember.events.rules import Parsed, load_json
from ember.tracking.mapping import EventMap
from ember.tracking.providers.common import (
    Delivery,
    Provider,
    add_event,
    check_fresh,
    email_of,
    epoch_time,
    hex_hmac,
    obj,
    parse_timestamp,
    require,
    same,
)

TOLERANCE_S = 300
VALIDATION = "endpoint.url_validation"


def sign(secret: str, body: bytes, at: int | str) -> str:
    return "v0=" + hex_hmac(secret, f"v0:{at}:".encode() + body)


def verify(delivery: Delivery, secret: str) -> None:
    signature = require(delivery.header("x-zm-signature"), "x-zm-signature", "Zoom")
    at = require(delivery.header("x-zm-request-timestamp"), "x-zm-request-timestamp", "Zoom")
    if not same(sign(secret, delivery.raw, at), signature):
        raise Unauthorized("the Zoom signature does not match; paste the app's Secret Token into Ember "
                           "with `ember sources secret NAME`")
    check_fresh(parse_timestamp(at, "Zoom"), delivery.received_at, TOLERANCE_S, "Zoom")


def challenge(delivery: Delivery, secret: str) -> dict[str, Any] | None:
    body = obj(load_json(delivery.raw))
    if body.get("event") != VALIDATION:
        return None
    plain = str(obj(body.get("payload")).get("plainToken") or "")
    if not plain:
        raise Unauthorized("the Zoom URL validation has no plainToken")
    return {"plainToken": plain, "encryptedToken": hex_hmac(secret, plain.encode())}


def _person(name: str, thing: dict[str, Any]) -> tuple[dict[str, Any], str]:
    if "participant" in name:
        person = obj(thing.get("participant"))
        key = person.get("participant_uuid") or person.get("id") or person.get("user_id")
        return person, f"{key}:{person.get('join_time')}"
    person = obj(thing.get("registrant"))
    return person, str(person.get("id") or person.get("email"))


def _booking(name: str, thing: dict[str, Any], person: dict[str, Any]) -> dict[str, Any]:
    """A registration for a meeting (not a webinar) is a booked meeting: the meeting and the
    registrant name it, in the registration and in its cancellation alike."""
    if not name.startswith("meeting.registration") or not person.get("id"):
        return {}
    return {BOOKING: f"{thing.get('id')}:{person.get('id')}", TITLE: str(thing.get("topic") or "")[:200]}


def parse(delivery: Delivery, mapping: EventMap) -> Parsed:
    body = obj(load_json(delivery.raw))
    parsed = Parsed()
    name = str(body.get("event") or "")
    thing = obj(obj(body.get("payload")).get("object"))
    person, key = _person(name, thing)
    external_id = f"{name}:{thing.get('uuid') or thing.get('id')}:{key}"
    add_event(parsed, mapping, name, external_id=external_id,
              occurred_at=epoch_time(body.get("event_ts"), delivery.received_at), email=email_of(person.get("email")),
              where="payload.object", url=thing.get("topic"),
              payload={"topic": str(thing.get("topic") or "")[:300], "webinar_id": thing.get("id"),
                       START: thing.get("start_time"), **_booking(name, thing, person)})
    return parsed


def sample(email: str, now: datetime) -> dict[str, Any]:
    return {"event": "webinar.registration_created", "event_ts": int(now.timestamp() * 1000),
            "payload": {"account_id": "EMBERTEST", "object": {
                "uuid": "EMBERTEST==", "id": "81234567890", "host_id": "EMBERTEST", "topic": "Sample webinar",
                "type": 5, "start_time": now.isoformat(), "duration": 60, "timezone": "UTC",
                "registrant": {"id": f"reg-{int(now.timestamp())}", "first_name": "Sample", "last_name": "Person",
                               "email": email, "join_url": "https://zoom.us/w/EMBERTEST"}}}}


def outgoing(secret: str, body: dict[str, Any], url: str, now: datetime) -> tuple[bytes, dict[str, str], str]:
    """A delivery as Zoom sends it (for `ember sources test`)."""
    raw = json.dumps(body).encode()
    at = int(now.timestamp())
    return raw, {"Content-Type": "application/json", "x-zm-request-timestamp": str(at),
                 "x-zm-signature": sign(secret, raw, at)}, url


PROVIDER = Provider("zoom", "Zoom", False, verify, parse, sample, outgoing, challenge)
