"""Typeform: ``Typeform-Signature: sha256=<base64 HMAC-SHA256 of the body>`` keyed with the secret
set on the form's webhook (Ember makes it). Typeform signs no timestamp, so a replay can only
be told by its ``event_id``, which is the deduplication key.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ember.errors import Unauthorized
from ember.events.rules import Parsed, load_json
from ember.tracking.mapping import EventMap
from ember.tracking.providers.common import (
    Delivery,
    Provider,
    add_event,
    b64_hmac,
    email_of,
    iso_time,
    obj,
    require,
    same,
)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + b64_hmac(secret, body)


def verify(delivery: Delivery, secret: str) -> None:
    given = require(delivery.header("typeform-signature"), "Typeform-Signature", "Typeform")
    if not same(sign(secret, delivery.raw), given):
        raise Unauthorized("the Typeform signature does not match; paste the secret Ember printed into the "
                           "form's webhook settings")


def _email(response: dict[str, Any]) -> str | None:
    for answer in response.get("answers") or []:
        if isinstance(answer, dict) and answer.get("type") == "email" and (found := email_of(answer.get("email"))):
            return found
    return email_of(obj(response.get("hidden")).get("email"))


def parse(delivery: Delivery, mapping: EventMap) -> Parsed:
    body = obj(load_json(delivery.raw))
    parsed = Parsed()
    response = obj(body.get("form_response"))
    definition = obj(response.get("definition"))
    title = definition.get("title") or response.get("form_id")
    add_event(parsed, mapping, str(body.get("event_type") or ""),
              external_id=str(body.get("event_id") or response.get("token") or ""),
              occurred_at=iso_time(response.get("submitted_at"), delivery.received_at), email=_email(response),
              where="form_response.answers", url=title,
              payload={"form": str(title or "")[:300], "form_id": response.get("form_id")})
    return parsed


def sample(email: str, now: datetime) -> dict[str, Any]:
    stamp = int(now.timestamp())
    return {"event_id": f"EMBERTEST{stamp}", "event_type": "form_response",
            "form_response": {"form_id": "EmberTst", "token": f"tok{stamp}", "landed_at": now.isoformat(),
                              "submitted_at": now.isoformat(),
                              "definition": {"id": "EmberTst", "title": "Sample contact form",
                                             "fields": [{"id": "f1", "ref": "email", "type": "email",
                                                         "title": "Your work email"}]},
                              "answers": [{"type": "email", "email": email,
                                           "field": {"id": "f1", "type": "email", "ref": "email"}}]}}


def outgoing(secret: str, body: dict[str, Any], url: str, now: datetime) -> tuple[bytes, dict[str, str], str]:
    """A delivery as Typeform sends it (for `ember sources test`)."""
    raw = json.dumps(body).encode()
    return raw, {"Content-Type": "application/json", "Typeform-Signature": sign(secret, raw)}, url


PROVIDER = Provider("typeform", "Typeform", True, verify, parse, sample, outgoing)
