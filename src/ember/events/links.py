"""Signed contact links for our emails, the public site key of a source, and
identity verification for the snippet.

A link in an email carries ``?ember_cid=<token>``; the tracking snippet sends
it back with page views, which ties the visit to the contact. The token is
signed with the app secret (itsdangerous), so nobody can forge one for
another contact. It does not expire: people read emails weeks later.

An email given to ``ember.identify`` counts only with its proof: an HMAC-SHA256
of the address that the team's own server computes with the source's identity
secret (never published) and prints into the page, as Intercom's identity
verification works. Anyone can call ``identify`` with any address in a browser;
only the team's server can prove it.
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


def identity_secret(secret: str) -> str:
    """The key a team's server proves visitors' emails with. Derived one way from the
    webhook secret (so it signs no webhook), and changes with it."""
    digest = hmac.new(secret.encode(), b"ember.identity-secret", hashlib.sha256).digest()
    return "idv_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def identity_hash(identity_key: str, email: str) -> str:
    """What the team's server computes for a visitor: hex HMAC-SHA256 of the lower-cased email."""
    return hmac.new(identity_key.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


def identity_proven(identity_key: str, email: str, proof: str) -> bool:
    return hmac.compare_digest(identity_hash(identity_key, email), proof.strip().lower())
