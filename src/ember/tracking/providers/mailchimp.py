"""Mailchimp audience ("list") webhooks. Mailchimp signs nothing; as its guide advises, the
address it calls carries a secret (``?key=...``, made by Ember) that every POST must show.
When a webhook is saved, Mailchimp checks the address with a GET, answered 200.
The body is a form: ``type``, ``fired_at``, ``data[email]``, ``data[list_id]``, ...
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ember.errors import InvalidInput, Problem, Unauthorized
from ember.events.rules import Parsed
from ember.tracking.mapping import EventMap
from ember.tracking.providers.common import Delivery, Provider, add_event, email_of, same

KEY_PARAMETER = "key"


def verify(delivery: Delivery, secret: str) -> None:
    given = delivery.query.get(KEY_PARAMETER, "")
    if not given:
        raise Unauthorized("the webhook address has no ?key=...; copy the whole address Ember printed into "
                           "Mailchimp's webhook settings")
    if not same(secret, given):
        raise Unauthorized("the key in the webhook address is wrong; copy the address again from "
                           "`ember sources show NAME`")


def _fired_at(value: str, fallback: datetime) -> datetime:
    try:  # "2009-03-26 21:35:57", in UTC
        return min(datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC), fallback)
    except ValueError:
        return fallback


def parse(delivery: Delivery, mapping: EventMap) -> Parsed:
    try:
        fields = dict(parse_qsl(delivery.raw.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError as exc:
        raise InvalidInput("the body is not a UTF-8 form", [Problem("body", str(exc), "send the form as UTF-8")]) \
            from exc
    parsed = Parsed()
    name = fields.get("type", "")
    fired_at = fields.get("fired_at", "")
    email = fields.get("data[email]") or fields.get("data[new_email]")
    person = fields.get("data[id]") or email or ""
    # Mailchimp gives no event id: the same type, moment, list and person is the same event.
    key = "|".join((name, fired_at, fields.get("data[list_id]", ""), person))
    add_event(parsed, mapping, name, external_id=f"{name}:" + hashlib.sha256(key.encode()).hexdigest()[:40],
              occurred_at=_fired_at(fired_at, delivery.received_at), email=email_of(email), where="data[email]",
              url=fields.get("data[list_id]"),
              payload={"list_id": fields.get("data[list_id]"), "reason": fields.get("data[reason]")})
    return parsed


def form(email: str, now: datetime) -> dict[str, str]:
    return {"type": "subscribe", "fired_at": now.strftime("%Y-%m-%d %H:%M:%S"), "data[id]": "embertest",
            "data[list_id]": "embertest", "data[email]": email, "data[email_type]": "html",
            "data[merges][EMAIL]": email, "data[merges][FNAME]": "Sample", "data[ip_opt]": "127.0.0.1"}


def sample(email: str, now: datetime) -> dict[str, Any]:
    return dict(form(email, now))


def encode(fields: dict[str, Any]) -> bytes:
    return urlencode(fields).encode()


def outgoing(secret: str, body: dict[str, Any], url: str, now: datetime) -> tuple[bytes, dict[str, str], str]:
    """A delivery as Mailchimp sends it (for `ember sources test`): the key rides in the address."""
    separator = "&" if "?" in url else "?"
    address = url if f"{KEY_PARAMETER}=" in url else f"{url}{separator}{KEY_PARAMETER}={secret}"
    return encode(body), {"Content-Type": "application/x-www-form-urlencoded"}, address


PROVIDER = Provider("mailchimp", "Mailchimp", True, verify, parse, sample, outgoing)
