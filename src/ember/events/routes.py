"""Events in: ``POST /events`` (signed webhooks), ``GET /t.js`` and ``POST /t/collect`` (the snippet).

None of these use the login: webhooks prove themselves with their signature,
the snippet with a public site key. Work is queued only after the commit.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ember.api.errors import error_body
from ember.db import unit_of_work
from ember.errors import InvalidInput, NotFound, Problem
from ember.events.ingest import Accepted, receive_beacon
from ember.events.intake import receive_signed, source_cache, too_large_message
from ember.jobs.outbox import after_commit
from ember.jobs.queue import get_jobs

router = APIRouter(tags=["events"])
SNIPPET = Path(__file__).parent / "static" / "t.js"
BEACON_MAX_BYTES = 16 * 1024
SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


def _queue_after_commit(app: FastAPI, session: Any, accepted: Accepted | None) -> None:
    if accepted is not None and accepted.new_ids:
        jobs = get_jobs(app.state.settings)
        ids = list(accepted.new_ids)
        after_commit(session, lambda: jobs.enqueue_events(ids))


@router.post("/events", status_code=202, responses={401: {"description": "signature missing, wrong or stale"}})
async def receive_events(request: Request, source: str | None = Query(
        None, description="The source's name, to pick its secret at once (optional).")) -> JSONResponse:
    """Signed events (Standard Webhooks). Our schema or Segment track/page/identify, one or a list.

    202 with how many were new; a repeated event id (or webhook retry) is counted as a duplicate.
    """
    # Served by ember.events.intake.EventsIntake ahead of the middleware in the app; this
    # route documents the endpoint and serves apps built without that layer.
    raw = await request.body()
    limit = request.app.state.settings.events.events_max_bytes
    if len(raw) > limit:
        return JSONResponse(error_body("too_large", too_large_message(limit)), status_code=413)
    headers = {name: request.headers.get(name, "") for name in SIGNATURE_HEADERS}
    accepted = await receive_signed(request.app, raw, headers, source)
    return JSONResponse(accepted.as_dict(), status_code=202)


@lru_cache(maxsize=1)
def _snippet() -> bytes:
    return SNIPPET.read_bytes()


@router.get("/t.js", include_in_schema=False)
def tracking_snippet() -> Response:
    return Response(_snippet(), media_type="application/javascript",
                    headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"})


def _beacon_body(raw: bytes) -> dict[str, Any]:
    if len(raw) > BEACON_MAX_BYTES:
        raise InvalidInput("the page view is too large", [Problem("body", f"{len(raw)} bytes",
                                                                  f"send at most {BEACON_MAX_BYTES}")])
    try:
        body = json.loads(raw or b"{}")
    except ValueError as exc:
        raise InvalidInput("the page view is not JSON", [Problem("body", str(exc), "send the snippet's JSON")]) from exc
    if not isinstance(body, dict):
        raise InvalidInput("the page view is not a JSON object", [Problem("body", "not an object", "send {...}")])
    return body


def _beacon(app: FastAPI, body: dict[str, Any]) -> Accepted | None:
    settings = app.state.settings
    with unit_of_work(app.state.engine) as session:
        accepted = receive_beacon(session, source_cache(app), body, secret_key=settings.resolved_secret_key(),
                                  now=datetime.now(UTC))
        _queue_after_commit(app, session, accepted)
    return accepted


@router.post("/t/collect", status_code=204, include_in_schema=False)
async def collect(request: Request) -> Response:
    """Page views and identify calls from the snippet (sent as text/plain: no CORS preflight)."""
    cors = {"Access-Control-Allow-Origin": "*"}
    if request.headers.get("dnt") == "1" or request.headers.get("sec-gpc") == "1":
        return Response(status_code=204, headers=cors)  # the browser asked not to be tracked
    body = _beacon_body(await request.body())
    accepted = await run_in_threadpool(_beacon, request.app, body)
    if accepted is None:
        raise NotFound("unknown site key; copy the snippet again from `ember sources list`")
    return Response(status_code=204, headers=cors)
