"""Kit (formerly ConvertKit) webhook endpoints: ``X-Kit-Signature: t=<unix seconds>,v1=<hex
HMAC-SHA256 of "t.body">`` keyed with the endpoint's secret (Kit makes it, once; paste it into
Ember). One delivery carries an ``events`` array; each event has its own ``id``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ember.events.rules import Parsed, load_json
from ember.tracking.mapping import EventMap
from ember.tracking.providers.common import (
    Delivery,
    Provider,
    add_event,
    email_of,
    iso_time,
    obj,
    sign_timestamped,
    verify_timestamped,
)

HEADER = "x-kit-signature"
TOLERANCE_S = 300


def sign(secret: str, body: bytes, at: int) -> str:
    return sign_timestamped(secret, body, at)


def verify(delivery: Delivery, secret: str) -> None:
    verify_timestamped(delivery, secret, header=HEADER, header_name="X-Kit-Signature", label="Kit",
                       tolerance_s=TOLERANCE_S,
                       fix="paste the endpoint's secret into Ember with `ember sources secret NAME`")


def parse(delivery: Delivery, mapping: EventMap) -> Parsed:
    body = obj(load_json(delivery.raw))
    parsed = Parsed()
    for index, item in enumerate(body.get("events") or []):
        event = obj(item)
        data = obj(event.get("data"))
        subscriber = obj(data.get("subscriber"))
        related = obj(data.get("form") or data.get("sequence") or data.get("tag"))
        add_event(parsed, mapping, str(event.get("type") or ""),
                  external_id=str(event.get("id") or f"{body.get('delivery_id')}:{index}"),
                  occurred_at=iso_time(event.get("created"), delivery.received_at),
                  email=email_of(subscriber.get("email_address")), where=f"events[{index}].data.subscriber",
                  url=related.get("name"), payload={"subscriber_id": subscriber.get("id")})
    return parsed


def sample(email: str, now: datetime) -> dict[str, Any]:
    stamp = int(now.timestamp())
    return {"delivery_id": stamp, "events": [{
        "id": f"embertest-{stamp}", "type": "subscriber.activated", "created": now.isoformat(),
        "data": {"subscriber": {"id": stamp, "first_name": "Sample", "email_address": email, "state": "active",
                                "created_at": now.isoformat(), "fields": {}}}}]}


def outgoing(secret: str, body: dict[str, Any], url: str, now: datetime) -> tuple[bytes, dict[str, str], str]:
    """A delivery as Kit sends it (for `ember sources test`)."""
    raw = json.dumps(body).encode()
    return raw, {"Content-Type": "application/json", "X-Kit-Signature": sign(secret, raw, int(now.timestamp()))}, url


PROVIDER = Provider("kit", "Kit", False, verify, parse, sample, outgoing)
