"""OAuth2 access tokens for XOAUTH2 mailboxes (Google, Microsoft 365), kept fresh with a refresh token.

An access token lives about an hour. With the refresh token the rep gave, Ember asks
the provider's token endpoint for a new one (RFC 6749, section 6) when the stored one
is about to expire or the mail server refuses it, using the installation's client id
and secret for that provider (settings). The tokens are stored together, sealed with
the inbox key like a password; a mailbox connected with an access token alone keeps
working until that token expires.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from ember.settings import Settings

PROVIDERS = {"google": "Google", "microsoft": "Microsoft 365"}
# Refreshed this long before the provider says the token expires: a sync started just
# before the hour must not fail half-way through.
EARLY = timedelta(minutes=5)
_MARK = "ember-oauth2"


class RefreshFailed(Exception):
    """The provider did not give a new access token; the message says why, in its own words where it gave them."""


@dataclass(frozen=True)
class OAuthTokens:
    access_token: str
    refresh_token: str | None = None
    provider: str | None = None  # google | microsoft
    expires_at: datetime | None = None

    def due(self, now: datetime) -> bool:
        """Whether to refresh before logging in: the token is missing or (almost) expired."""
        if not self.refresh_token:
            return False
        return not self.access_token or (self.expires_at is not None and self.expires_at - EARLY <= now)

    def seal_text(self) -> str:
        """What is encrypted into the mailbox's secret."""
        return json.dumps({_MARK: 1, "access_token": self.access_token, "refresh_token": self.refresh_token,
                           "provider": self.provider,
                           "expires_at": self.expires_at.isoformat() if self.expires_at else None})


def tokens_from(secret: str) -> OAuthTokens:
    """The tokens in a decrypted mailbox secret: a sealed set, or a bare access token (older mailboxes)."""
    if secret.startswith("{"):
        try:
            data = json.loads(secret)
        except ValueError:
            data = None
        if isinstance(data, dict) and data.get(_MARK):
            expires = data.get("expires_at")
            return OAuthTokens(str(data.get("access_token") or ""), data.get("refresh_token") or None,
                               data.get("provider") or None, datetime.fromisoformat(expires) if expires else None)
    return OAuthTokens(secret)


@dataclass(frozen=True)
class Client:
    """The installation's OAuth2 client at one provider."""

    provider: str
    client_id: str | None
    client_secret: str | None
    token_url: str


def client_for(settings: Settings, provider: str) -> Client:
    inbox = settings.inbox
    if provider == "google":
        return Client(provider, inbox.inbox_google_client_id, inbox.inbox_google_client_secret,
                      inbox.inbox_google_token_url)
    return Client(provider, inbox.inbox_microsoft_client_id, inbox.inbox_microsoft_client_secret,
                  inbox.inbox_microsoft_token_url)


def missing_client(settings: Settings, provider: str) -> str | None:
    """What the installation lacks to refresh tokens of this provider, or None."""
    client = client_for(settings, provider)
    if client.client_id and client.client_secret:
        return None
    name = provider.upper()
    return (f"EMBER_INBOX_{name}_CLIENT_ID and EMBER_INBOX_{name}_CLIENT_SECRET are not set, so Ember cannot "
            f"refresh {PROVIDERS[provider]} tokens")


def refresh(tokens: OAuthTokens, settings: Settings, *, now: datetime | None = None) -> OAuthTokens:
    """New tokens from the provider's token endpoint; RefreshFailed with the provider's error."""
    now = now or datetime.now(UTC)
    if not tokens.refresh_token or tokens.provider not in PROVIDERS:
        raise RefreshFailed("the access token expired and there is no refresh token: connect the mailbox again")
    missing = missing_client(settings, tokens.provider)
    if missing:
        raise RefreshFailed(f"{missing}; ask whoever runs Ember to set them")
    client = client_for(settings, tokens.provider)
    answer = _ask(client, tokens.refresh_token, settings)
    access = answer.get("access_token")
    if not isinstance(access, str) or not access:
        raise RefreshFailed(f"{client.token_url} answered without an access token")
    expires_in = answer.get("expires_in")
    expires_at = now + timedelta(seconds=int(expires_in)) if isinstance(expires_in, int | float | str) \
        and str(expires_in).isdigit() else None
    # Google keeps the refresh token; Microsoft may hand out a new one, which replaces the old.
    return OAuthTokens(access, answer.get("refresh_token") or tokens.refresh_token, tokens.provider, expires_at)


def _ask(client: Client, refresh_token: str, settings: Settings) -> dict[str, Any]:
    label = PROVIDERS[client.provider]
    with OAuth2Session(client.client_id, client.client_secret,
                       token_endpoint_auth_method="client_secret_post") as session:
        try:
            return dict(session.refresh_token(client.token_url, refresh_token=refresh_token,
                                              timeout=settings.inbox.inbox_timeout_s))
        except OAuthError as exc:  # the provider's own answer, e.g. invalid_grant: Token has been revoked
            words = f"{exc.error}: {exc.description}" if exc.description else str(exc.error)
            raise RefreshFailed(f"{label} refused to refresh the token ({words})") from exc
        except requests.RequestException as exc:
            raise RefreshFailed(f"cannot reach {client.token_url}: {exc}") from exc
        except ValueError as exc:  # not JSON
            raise RefreshFailed(f"{client.token_url} did not answer as a token endpoint does") from exc
