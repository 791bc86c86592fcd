"""Each phone system's own proof that an event is theirs, as each documents it.

* Twilio: ``X-Twilio-Signature`` = base64(HMAC-SHA1(auth token, the full URL Twilio
  called + every POST parameter name and value, sorted by name)).
* Aircall: the webhook's ``token`` field equals the token shown on the webhook.
* RingCentral: the ``Verification-Token`` header equals the subscription's ``verificationToken``.
* Generic: Standard Webhooks (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


class BadSignature(Exception):
    """The event does not prove it comes from the configured phone system."""


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify_twilio(auth_token: str | None, url: str, params: Mapping[str, str], signature: str) -> None:
    if not auth_token:
        raise BadSignature("Twilio events are not accepted: set EMBER_DIALER_TWILIO_AUTH_TOKEN")
    if not signature or not hmac.compare_digest(twilio_signature(auth_token, url, params), signature):
        raise BadSignature("X-Twilio-Signature is missing or does not match (is EMBER_PUBLIC_URL the address "
                           "Twilio calls?)")


def verify_aircall(token: str | None, body_token: object) -> None:
    if not token:
        raise BadSignature("Aircall events are not accepted: set EMBER_DIALER_AIRCALL_TOKEN")
    if not isinstance(body_token, str) or not hmac.compare_digest(token, body_token):
        raise BadSignature("the Aircall token is missing or does not match the webhook's token")


def verify_ringcentral(token: str | None, header_token: str) -> None:
    if not token:
        raise BadSignature("RingCentral events are not accepted: set EMBER_DIALER_RINGCENTRAL_TOKEN")
    if not header_token or not hmac.compare_digest(token, header_token):
        raise BadSignature("the Verification-Token header is missing or does not match the subscription's "
                           "verificationToken")


def verify_standard(secret: str | None, raw: bytes, headers: Mapping[str, str]) -> None:
    if not secret:
        raise BadSignature("call events are not accepted: set EMBER_DIALER_WEBHOOK_SECRET")
    try:
        Webhook(secret).verify(raw, dict(headers))
    except WebhookVerificationError as exc:
        raise BadSignature(f"webhook signature: {exc}") from exc
