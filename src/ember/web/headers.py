"""Security headers on every response: what a browser may load, frame or send on.

Pages load only our own scripts and styles (no inline script, so an injected
``<script>`` or ``onclick`` does not run), may not be framed by anyone, and are
never sniffed as another content type. HSTS is sent only to clients that reached
us over HTTPS (directly, or through a proxy that says so), since a browser that
saw it over plain HTTP must ignore it anyway. The API documentation page is the
one exception: Swagger UI (served from here, never a CDN) starts with a small
inline script, which is allowed by its hash, on that page only (with the inline
styles its widgets set).
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_policy(html: str) -> str:
    """The policy of a documentation page: our own assets and its own inline scripts, by hash."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(html))
    return (f"default-src 'self'; script-src 'self' {hashes}; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


def is_https(scope: Scope) -> bool:
    """Whether the client reached us over HTTPS. uvicorn rewrites the scheme from
    X-Forwarded-Proto for the proxies it trusts (--forwarded-allow-ips)."""
    return scope.get("scheme") in ("https", "wss")


class SecurityHeaders:
    def __init__(self, app: ASGIApp, docs_paths: dict[str, str] | None = None) -> None:
        self.app = app
        self.docs_paths = docs_paths or {}  # path -> its own policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.docs_paths.get(scope["path"], PAGE_POLICY)
        extra = [(b"content-security-policy", policy.encode()), (b"x-frame-options", b"DENY"),
                 (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
        if is_https(scope):
            extra.append((b"strict-transport-security", HSTS.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
