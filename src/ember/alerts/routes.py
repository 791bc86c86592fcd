"""Alerts over HTTP: the list, the live feed (server-sent events), seen marks, notification URLs."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from ember.alerts import repository, service
from ember.alerts.destinations import destination_policy
from ember.api.deps import CurrentActor, Db
from ember.db import unit_of_work
from ember.models import User

router = APIRouter(prefix="/api", tags=["alerts"])

POLL_S = 0.25  # how often the live feed looks for new alerts: well inside the one-second promise
STREAM_MAX_S = 300.0  # then the browser reconnects (EventSource does it by itself)
HEARTBEAT_S = 15.0  # keeps proxies from closing an idle connection


class NotifyUrls(BaseModel):
    urls: list[str] = Field(default_factory=list, max_length=20,
                            description="apprise URLs: slack://..., msteams://..., mailto://..., json://...")


@router.get("/alerts")
def list_alerts(db: Db, actor: CurrentActor, rep: str | None = None, unseen: bool = False,
                limit: int = Query(100, ge=1, le=1000)) -> list[dict[str, Any]]:
    """Alerts of the reps you may see (yours, your team's as a manager), newest first."""
    return service.list_alerts(db, actor, rep_email=rep, unseen_only=unseen, limit=limit)


@router.post("/alerts/{alert_id}/seen")
def mark_seen(db: Db, actor: CurrentActor, alert_id: int) -> dict[str, Any]:
    return service.mark_seen(db, actor, alert_id)


@router.get("/me/notify")
def get_notify(db: Db, actor: CurrentActor) -> NotifyUrls:
    user = db.get(User, actor.id)
    return NotifyUrls(urls=service.notify_urls(db, user) if user else [])


@router.put("/me/notify")
def put_notify(request: Request, db: Db, actor: CurrentActor, body: NotifyUrls) -> NotifyUrls:
    """Replace where your alerts go besides the app. Each URL is checked before it is kept: one
    that leads to this server or a private network is refused unless an administrator allows it."""
    user = db.get(User, actor.id)
    assert user is not None  # the actor was just loaded from this row
    policy = destination_policy(request.app.state.settings)
    return NotifyUrls(urls=service.set_notify_urls(db, user, policy=policy, replace=body.urls))


def _new_alerts(engine: Engine, rep_id: int, after_id: int) -> tuple[list[dict[str, Any]], int]:
    with unit_of_work(engine) as session:
        rows = [service.alert_dict(row) for row in repository.alerts_after(session, rep_id, after_id)]
        unseen = repository.unseen_count(session, rep_id) if rows else -1
    return rows, unseen


def _start(engine: Engine, rep_id: int, last_event_id: str | None) -> tuple[int, int]:
    with unit_of_work(engine) as session:
        unseen = repository.unseen_count(session, rep_id)
        latest = repository.last_alert_id(session, rep_id)
    after = int(last_event_id) if last_event_id and last_event_id.isdigit() else latest
    return min(after, latest), unseen


def _frame(event: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


async def _feed(request: Request, engine: Engine, rep_id: int, once: bool) -> AsyncIterator[str]:
    after, unseen = await run_in_threadpool(_start, engine, rep_id, request.headers.get("last-event-id"))
    yield f"retry: 2000\n{_frame('count', {'unseen': unseen}, after)}"
    started = last_beat = time.monotonic()
    while not once and time.monotonic() - started < STREAM_MAX_S:
        await asyncio.sleep(POLL_S)
        if await request.is_disconnected():
            return
        alerts, unseen = await run_in_threadpool(_new_alerts, engine, rep_id, after)
        for alert in alerts:
            after = alert["id"]
            yield _frame("alert", {**alert, "unseen": unseen}, after)
        if time.monotonic() - last_beat > HEARTBEAT_S:
            last_beat = time.monotonic()
            yield ": still here\n\n"


@router.get("/alerts/stream", response_class=StreamingResponse)
def alert_stream(request: Request, db: Db, actor: CurrentActor,
                 once: bool = Query(False, description="Send the current count and close (for scripts).")
                 ) -> StreamingResponse:
    """Your new alerts as they happen (text/event-stream): `count` first, then one `alert` each."""
    # Give the connection back now: the stream may stay open for minutes, and a session held
    # by every open page would drain the connection pool and stall other requests.
    db.close()
    return StreamingResponse(_feed(request, request.app.state.engine, actor.id, once),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
