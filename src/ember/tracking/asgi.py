"""The hot path of ``/v1/...``: a plain ASGI layer ahead of the session middleware and the router.

Tracking calls carry no cookie, so neither has work to do for them; like
``POST /events`` they are answered here. The routes in :mod:`ember.tracking.routes`
document the same endpoints and serve apps built without this layer.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from ember.api.errors import error_body
from ember.errors import EmberError, InvalidInput, Problem
from ember.events.intake import read_body
from ember.tracking.intake import receive_calls
from ember.tracking.segment import MAX_BATCH_BYTES, PATH_TYPES

log = logging.getLogger(__name__)

PREFIX = "/v1/"
CORS = [(b"access-control-allow-origin", b"*"), (b"access-control-allow-methods", b"POST, OPTIONS"),
        (b"access-control-allow-headers", b"Authorization, Content-Type, Content-Encoding"),
        (b"access-control-max-age", b"86400")]
SUCCESS = b'{"success":true}'
# A gzip body is at most its inflated size plus a little; anything larger is refused unread.
MAX_WIRE_BYTES = MAX_BATCH_BYTES + 64 * 1024


class TrackingIntake:
    """Answers ``POST /v1/{batch,b,track,t,...}`` and its CORS preflight; everything else goes on."""

    def __init__(self, app: ASGIApp, fastapi_app: Any) -> None:
        self.app = app
        self.fastapi_app = fastapi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        call = path[len(PREFIX):]
        if scope["method"] == "OPTIONS":
            await _respond(send, 204, b"")
            return
        if scope["method"] != "POST" or (call not in ("batch", "b") and call not in PATH_TYPES):
            await self.app(scope, receive, send)
            return
        raw = await read_body(receive, scope, MAX_WIRE_BYTES)
        if raw is None:
            await _failure(send, InvalidInput("the batch is too large", [Problem(
                "request body", f"more than {MAX_WIRE_BYTES} bytes", "send at most 500 KB per batch")]))
            return
        headers = dict(scope["headers"])
        try:
            await receive_calls(self.fastapi_app, raw,
                                authorization=headers.get(b"authorization", b"").decode("latin-1") or None,
                                encoding=headers.get(b"content-encoding", b"").decode("latin-1"),
                                path_type=None if call in ("batch", "b") else PATH_TYPES[call])
        except EmberError as exc:
            await _failure(send, exc)
            return
        except Exception:
            log.exception("POST %s failed", path)
            await _respond(send, 500, json.dumps(error_body(
                "internal", "something went wrong on our side; it was logged")).encode())
            return
        await _respond(send, 200, SUCCESS)


async def _failure(send: Send, exc: EmberError) -> None:
    body = {"code": exc.code, "message": exc.message, **error_body(exc.code, exc.message, exc.problems)}
    await _respond(send, exc.status_code, json.dumps(body).encode())


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [*CORS, (b"content-length", str(len(body)).encode())]
    if body:
        headers.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
