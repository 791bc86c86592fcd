"""The login cookie: signed, HttpOnly, SameSite=Lax, and Secure unless Ember plainly
serves this machine only.

How Secure is decided (``EMBER_SECURE_COOKIES`` unset):

* a request that reached us over HTTPS (directly, or through a proxy uvicorn trusts
  with X-Forwarded-Proto) always gets a Secure cookie;
* otherwise the cookie is Secure unless Ember listens on a loopback address
  (``EMBER_HOST`` / ``--host`` 127.0.0.1, ::1 or localhost, the default), where
  only this machine's browser, or a TLS proxy in front, can reach it.

So a server opened to the network over plain HTTP does not hand out a cookie that
travels in clear text: browsers drop it and logging in fails until TLS is set up,
or until an administrator sets ``EMBER_SECURE_COOKIES=false`` on purpose.
``EMBER_SECURE_COOKIES=true`` or ``false`` decides it outright.

The cookie holds the CSRF token, a one-time message, and the token of the
server-side session (:mod:`ember.users.sessions`), never the user's identity.
"""

from __future__ import annotations

import ipaddress

from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from ember.settings import Settings
from ember.web.headers import is_https

COOKIE = "ember_session"


def listens_on_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cookie_is_secure(settings: Settings, scope: Scope) -> bool:
    if settings.server.secure_cookies is not None:
        return settings.server.secure_cookies
    return is_https(scope) or not listens_on_loopback(settings.server.host)


class SessionCookies:
    """Starlette's signed-cookie sessions, with the Secure flag chosen per request."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.settings = settings
        common = {"secret_key": settings.resolved_secret_key(), "session_cookie": COOKIE,
                  "max_age": settings.login.session_max_age_s, "same_site": "lax"}
        self._secure = SessionMiddleware(app, https_only=True, **common)  # type: ignore[arg-type]
        self._plain = SessionMiddleware(app, https_only=False, **common)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and cookie_is_secure(self.settings, scope):
            await self._secure(scope, receive, send)
        else:
            await self._plain(scope, receive, send)
