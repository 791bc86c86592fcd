"""``/v1/...`` (the Segment-compatible tracking API) and ``/hooks/{source}`` (tools' webhooks).

Neither uses the login: calls prove themselves with a write key, deliveries with
the tool's signature. The libraries expect 200 and ``{"success": true}``; a
client error carries Segment's ``code`` and ``message`` besides our own shape.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ember.api.errors import error_body
from ember.api.schemas import ErrorOut
from ember.errors import EmberError, InvalidInput, Problem
from ember.events.schemas import AcceptedOut
from ember.tracking.intake import receive_calls, receive_delivery
from ember.tracking.providers.common import Delivery
from ember.tracking.segment import PATH_TYPES

router = APIRouter(tags=["tracking"])
# analytics.js calls from any site; the write key, not the origin, decides.
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Authorization, Content-Type, Content-Encoding",
        "Access-Control-Max-Age": "86400"}
SUCCESS = json.dumps({"success": True}).encode()


class Success(BaseModel):
    success: bool = Field(description="Always true: every call was stored (or was a duplicate)")


class SegmentError(ErrorOut):
    """Our error shape, with Segment's own ``code`` and ``message`` beside it for its libraries."""

    code: str
    message: str


class Challenge(BaseModel):
    """Zoom's address check: the token it sent, and its HMAC with the source's secret."""

    plainToken: str
    encryptedToken: str


CALL_ANSWERS: dict[int | str, dict[str, object]] = {
    401: {"model": SegmentError, "description": "write key missing, unknown or revoked"},
    "4XX": {"model": SegmentError, "description": "refused, with every problem; nothing stored"},
}
HOOK_ANSWERS: dict[int | str, dict[str, object]] = {
    200: {"model": Challenge, "description": "the tool checked the address (Zoom's URL validation)"},
    401: {"model": ErrorOut, "description": "signature missing or wrong"},
}


def _failure(exc: EmberError) -> JSONResponse:
    body = {"code": exc.code, "message": exc.message, **error_body(exc.code, exc.message, exc.problems)}
    return JSONResponse(body, status_code=exc.status_code, headers=CORS)


async def _calls(request: Request, path_type: str | None) -> Response:
    try:
        await receive_calls(request.app, await request.body(), authorization=request.headers.get("authorization"),
                            encoding=request.headers.get("content-encoding", ""), path_type=path_type)
    except EmberError as exc:
        return _failure(exc)
    return Response(SUCCESS, media_type="application/json", headers=CORS)


@router.post("/v1/batch", response_model=Success, responses=CALL_ANSWERS)
async def batch(request: Request) -> Response:
    """Segment's batch call: ``{"batch": [calls...], "sentAt"?}``, the write key as the HTTP Basic user.

    Gzip bodies are welcome; at most 500 KB a batch and 32 KB a call. A repeated ``messageId``
    is a duplicate, not a new event. 200 ``{"success": true}``; 422 with every problem, nothing stored.
    """
    return await _calls(request, None)


@router.post("/v1/b", include_in_schema=False)
async def batch_short(request: Request) -> Response:
    return await _calls(request, None)


@router.post("/v1/{call}", response_model=Success, responses=CALL_ANSWERS)
async def single_call(call: str, request: Request) -> Response:
    """One call: track, page, screen, identify, group or alias (analytics.js's t, p, s, i, g, a too)."""
    path_type = PATH_TYPES.get(call)
    if path_type is None:
        return _failure(InvalidInput(f"/v1/{call} is not a tracking call", [Problem(
            "path", call, "use /v1/batch, /v1/track, /v1/page, /v1/screen, /v1/identify, /v1/group or /v1/alias")]))
    return await _calls(request, path_type)


@router.options("/v1/{path:path}", include_in_schema=False)
def preflight(path: str) -> Response:
    return Response(status_code=204, headers=CORS)


def _public_url(request: Request) -> str:
    """The address the tool called (HubSpot signs it): EMBER_PUBLIC_URL behind a proxy, else ours."""
    base = request.app.state.settings.server.public_url
    if not base:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return base.rstrip("/") + request.url.path + query


@router.post("/hooks/{source}", status_code=202, response_model=AcceptedOut, responses=HOOK_ANSWERS)
async def hook(source: str, request: Request) -> JSONResponse:
    """A webhook from a marketing tool (Mailchimp, Kit, Zoom, Calendly, HubSpot, Typeform), checked its way.

    202 with how many events were new; a retry of the same provider event is counted as a duplicate.
    """
    limit = request.app.state.settings.events.events_max_bytes
    raw = await request.body()
    if len(raw) > limit:
        return JSONResponse(error_body("too_large", f"the delivery is larger than {limit} bytes"), status_code=413)
    delivery = Delivery(raw, {k.lower(): v for k, v in request.headers.items()}, request.method,
                        _public_url(request), dict(request.query_params), datetime.now(UTC))
    answer = await receive_delivery(request.app, source, delivery)
    return JSONResponse(answer.body, status_code=answer.status)


@router.get("/hooks/{source}", include_in_schema=False)
def hook_check(source: str) -> dict[str, bool]:
    """Mailchimp checks a webhook address with a GET before it saves it."""
    return {"ok": True}
