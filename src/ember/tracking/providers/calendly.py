"""Calendly: ``Calendly-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">``
keyed with the subscription's signing key (Ember makes it; you pass it as ``signing_key``
when creating the webhook subscription). Events: ``invitee.created`` (a trigger, and a planned
meeting at the booked time), ``invitee.canceled`` (calls that planned meeting off).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from ember.cadence.bookings import BOOKING, END, START, TITLE
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

HEADER = "calendly-webhook-signature"
TOLERANCE_S = 180  # Calendly's own example allows three minutes


def sign(key: str, body: bytes, at: int) -> str:
    return sign_timestamped(key, body, at)


def verify(delivery: Delivery, key: str) -> None:
    verify_timestamped(delivery, key, header=HEADER, header_name="Calendly-Webhook-Signature", label="Calendly",
                       tolerance_s=TOLERANCE_S, fix="paste the signing key Ember printed into the webhook subscription")


def parse(delivery: Delivery, mapping: EventMap) -> Parsed:
    body = obj(load_json(delivery.raw))
    parsed = Parsed()
    name = str(body.get("event") or "")
    invitee = obj(body.get("payload"))
    meeting = obj(invitee.get("scheduled_event"))
    # The invitee's address is unique per booking; a cancellation of it is another event.
    external_id = f"{name}:{invitee.get('uri') or json.dumps(invitee, sort_keys=True)[:150]}"
    add_event(parsed, mapping, name, external_id=external_id,
              occurred_at=iso_time(body.get("created_at") or invitee.get("created_at"), delivery.received_at),
              email=email_of(invitee.get("email")), where="payload.email", url=meeting.get("name"),
              payload={"name": str(invitee.get("name") or "")[:200], TITLE: str(meeting.get("name") or "")[:200],
                       START: meeting.get("start_time"), END: meeting.get("end_time"),
                       # The same URI comes with the cancellation: it finds the planned meeting.
                       BOOKING: str(invitee.get("uri") or "")[:250] or None})
    return parsed


def sample(email: str, now: datetime) -> dict[str, Any]:
    start = (now + timedelta(days=2)).replace(microsecond=0)
    return {"created_at": now.isoformat(), "created_by": "https://api.calendly.com/users/EMBERTEST",
            "event": "invitee.created",
            "payload": {"email": email, "name": "Sample Invitee", "status": "active",
                        "uri": f"https://api.calendly.com/scheduled_events/EMBERTEST/invitees/{int(now.timestamp())}",
                        "created_at": now.isoformat(),
                        "scheduled_event": {"name": "30 Minute Demo", "start_time": start.isoformat(),
                                            "end_time": (start + timedelta(minutes=30)).isoformat(),
                                            "uri": "https://api.calendly.com/scheduled_events/EMBERTEST"}}}


def outgoing(key: str, body: dict[str, Any], url: str, now: datetime) -> tuple[bytes, dict[str, str], str]:
    """A delivery as Calendly sends it (for `ember sources test`)."""
    raw = json.dumps(body).encode()
    signature = sign(key, raw, int(now.timestamp()))
    return raw, {"Content-Type": "application/json", "Calendly-Webhook-Signature": signature}, url


PROVIDER = Provider("calendly", "Calendly", True, verify, parse, sample, outgoing)
