"""Signed contact links for our emails, and the public site key of a source.

A link in an email carries ``?ember_cid=<token>``; the tracking snippet sends
it back with page views, which ties the visit to the contact. The token is
signed with the app secret (itsdangerous), so nobody can forge one for
another contact. It does not expire: people read emails weeks later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from itsdangerous import BadSignature, URLSafeSerializer

LINK_PARAMETER = "ember_cid"
_SALT = "ember.contact-link"


def contact_token(secret_key: str, contact_id: int) -> str:
    return str(URLSafeSerializer(secret_key, salt=_SALT).dumps(contact_id))


def contact_from_token(secret_key: str, token: str) -> int | None:
    """The contact id a token was made for, or None when it is forged or damaged."""
    try:
        value = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def tracked_url(secret_key: str, url: str, contact_id: int) -> str:
    """``url`` with the contact parameter added, for links in emails to that contact."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != LINK_PARAMETER]
    query.append((LINK_PARAMETER, contact_token(secret_key, contact_id)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def site_key(secret: str) -> str:
    """The public key the snippet uses for a source. Derived one way from the webhook
    secret, so publishing it on a website reveals nothing that signs webhooks."""
    digest = hmac.new(secret.encode(), b"ember.site-key", hashlib.sha256).digest()
    return "site_" + base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")
