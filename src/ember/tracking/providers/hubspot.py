"""HubSpot: ``X-HubSpot-Signature-v3: <base64 HMAC-SHA256 of method + URI + body + timestamp>``
keyed with the app's client secret (HubSpot makes it; paste it into Ember), with
``X-HubSpot-Request-Timestamp`` in milliseconds; older than five minutes is refused.

Two shapes arrive: an app's webhook subscriptions (a JSON list of events with ``eventId``,
``subscriptionType``, ``objectId``; a form submission shows as a change of
``recent_conversion_event_name``) and a workflow's "send a webhook" action (one JSON object
with the contact's properties), read as ``form.submission``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from ember.errors import Unauthorized
from ember.events.rules import Parsed, load_json
from ember.tracking.mapping import EventMap
from ember.tracking.providers.common import (
    Delivery,
    Provider,
    add_event,
    b64_hmac,
    check_fresh,
    email_of,
    epoch_time,
    obj,
    parse_timestamp,
    require,
    same,
)

TOLERANCE_S = 300
# HubSpot signs the URI with these characters decoded (its validation guide lists them).
_DECODED = ("%3A", "%2F", "%3F", "%40", "%21", "%24", "%27", "%28", "%29", "%2A", "%2C", "%3B")


def signed_uri(url: str) -> str:
    for code in _DECODED:
        url = url.replace(code, unquote(code)).replace(code.lower(), unquote(code))
    return url


def sign(secret: str, method: str, url: str, body: bytes, at_ms: int | str) -> str:
    return b64_hmac(secret, f"{method.upper()}{signed_uri(url)}".encode() + body + str(at_ms).encode())


def verify(delivery: Delivery, secret: str) -> None:
    given = require(delivery.header("x-hubspot-signature-v3"), "X-HubSpot-Signature-v3", "HubSpot")
    at = require(delivery.header("x-hubspot-request-timestamp"), "X-HubSpot-Request-Timestamp", "HubSpot")
    if not same(sign(secret, delivery.method, delivery.url, delivery.raw, at), given):
        raise Unauthorized("the HubSpot signature does not match; paste the app's client secret into Ember with "
                           "`ember sources secret NAME`, and set EMBER_PUBLIC_URL to the address HubSpot calls")
    check_fresh(parse_timestamp(at, "HubSpot", milliseconds=True), delivery.received_at, TOLERANCE_S, "HubSpot")


def _subscription_event(parsed: Parsed, mapping: EventMap, event: dict[str, Any], index: int,
                        received_at: datetime) -> None:
    kind = str(event.get("subscriptionType") or "")
    prop = str(event.get("propertyName") or "")
    name = f"{kind}:{prop}" if prop and mapping.type_for(f"{kind}:{prop}") is not None else kind
    value = event.get("propertyValue")
    email = email_of(value) if prop == "email" else None
    add_event(parsed, mapping, name, external_id=str(event.get("eventId") or f"{kind}:{event.get('objectId')}"),
              occurred_at=epoch_time(event.get("occurredAt"), received_at), email=email, where=f"[{index}]",
              url=str(value) if prop and value and prop != "email" else None,
              payload={"hubspot_object_id": str(event.get("objectId") or ""), "portal_id": event.get("portalId")})


def _property(properties: dict[str, Any], name: str) -> Any:
    value = properties.get(name)
    return obj(value).get("value") if isinstance(value, dict) else value


def _workflow_event(parsed: Parsed, mapping: EventMap, body: dict[str, Any], delivery: Delivery) -> None:
    properties = obj(body.get("properties")) or body
    email = email_of(_property(properties, "email"))
    form = _property(properties, "recent_conversion_event_name")
    record = body.get("objectId") or body.get("vid") or _property(properties, "hs_object_id")
    add_event(parsed, mapping, "form.submission",
              external_id="workflow:" + hashlib.sha256(delivery.raw).hexdigest()[:40],
              occurred_at=delivery.received_at, email=email, where="properties.email",
              url=str(form) if form else None, payload={"hubspot_object_id": str(record or ""), "form": form})


def parse(delivery: Delivery, mapping: EventMap) -> Parsed:
    body = load_json(delivery.raw)
    parsed = Parsed()
    if isinstance(body, list):
        for index, event in enumerate(body):
            _subscription_event(parsed, mapping, obj(event), index, delivery.received_at)
    else:
        _workflow_event(parsed, mapping, obj(body), delivery)
    return parsed


def sample(email: str, now: datetime) -> dict[str, Any]:
    return {"objectId": 101, "properties": {"email": {"value": email},
                                            "recent_conversion_event_name": {"value": "Sample demo request form"}},
            "sent_at": now.isoformat()}


def outgoing(secret: str, body: dict[str, Any], url: str, now: datetime) -> tuple[bytes, dict[str, str], str]:
    """A delivery as HubSpot sends it (for `ember sources test`)."""
    raw = json.dumps(body).encode()
    at = int(now.timestamp() * 1000)
    return raw, {"Content-Type": "application/json", "X-HubSpot-Request-Timestamp": str(at),
                 "X-HubSpot-Signature-v3": sign(secret, "POST", url, raw, at)}, url


PROVIDER = Provider("hubspot", "HubSpot", False, verify, parse, sample, outgoing)
