"""Events over HTTP: ``POST /events`` (signed webhooks), ``GET /t.js`` and ``POST /t/collect`` (the
snippet), and the trigger rules under ``/api/rules``.

None of the event routes use the login: webhooks prove themselves with their
signature, the snippet with a public site key. Work is queued only after the
commit. Everyone may read the trigger rules; managers and admins change them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ember.api.deps import CurrentActor, Db
from ember.api.schemas import ErrorOut
from ember.db import unit_of_work
from ember.errors import InvalidInput, NotFound, Problem
from ember.events import service
from ember.events.intake import answer_signed, source_cache
from ember.events.schemas import AcceptedOut, RuleOut
from ember.events.service import Accepted, RuleInput, receive_beacon
from ember.ids import RecordId
from ember.jobs.outbox import after_commit
from ember.models import TriggerRule

router = APIRouter(tags=["events"])
SNIPPET = Path(__file__).parent / "static" / "t.js"
BEACON_MAX_BYTES = 16 * 1024
SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


def _queue_after_commit(app: FastAPI, session: Any, accepted: Accepted | None) -> None:
    if accepted is not None and accepted.new_ids:
        enqueue, ids = app.state.enqueue_events, list(accepted.new_ids)
        after_commit(session, lambda: enqueue(ids))


@router.post("/events", status_code=202, response_model=AcceptedOut, responses={
    401: {"model": ErrorOut, "description": "signature missing, wrong or stale"}})
async def receive_events(request: Request, source: str | None = Query(
        None, description="The source's name, to pick its secret at once (optional).")) -> JSONResponse:
    """Signed events (Standard Webhooks). Our schema or Segment track/page/identify, one or a list.

    202 with how many were new; a repeated event id (or webhook retry) is counted as a duplicate.
    """
    # Answered by ember.events.intake.EventsIntake ahead of the middleware in the app; this
    # route documents the endpoint and hands apps built without that layer to the same code.
    limit = request.app.state.settings.events.events_max_bytes
    raw = await request.body()
    headers = {name: request.headers.get(name, "") for name in SIGNATURE_HEADERS}
    status, body = await answer_signed(request.app, raw if len(raw) <= limit else None, headers, source)
    return JSONResponse(body, status_code=status)


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


rules_router = APIRouter(prefix="/api/rules", tags=["rules"])


class RuleCreate(BaseModel):
    name: str = Field(max_length=100)
    event_type: str = Field(description="page_view, newsletter_subscribe, podcast_subscribe, webinar_rsvp, "
                                        "content_share, demo_use, email_reply or email_click")
    url_pattern: str | None = Field(None, description="globs such as */pricing*, several separated by commas")
    min_count: int = 1
    window_hours: int = 24 * 7
    audience: str = Field("any", description="nurture, stalled or any")


class RuleChange(BaseModel):
    name: str | None = None
    url_pattern: str | None = None
    min_count: int | None = None
    window_hours: int | None = None
    audience: str | None = None
    active: bool | None = None


def _rule(rule: TriggerRule) -> RuleOut:
    return RuleOut.model_validate(service.rule_dict(rule))


@rules_router.get("")
def list_rules(db: Db, actor: CurrentActor) -> list[RuleOut]:
    return [_rule(rule) for rule in service.list_rules(db, actor)]


@rules_router.post("", status_code=201)
def add_rule(db: Db, actor: CurrentActor, body: RuleCreate) -> RuleOut:
    return _rule(service.add_rule(db, actor, RuleInput(**body.model_dump())))


@rules_router.patch("/{rule_id}")
def change_rule(db: Db, actor: CurrentActor, rule_id: RecordId, body: RuleChange) -> RuleOut:
    changes = body.model_dump(exclude_unset=True)
    return _rule(service.update_rule(db, actor, rule_id, changes))
