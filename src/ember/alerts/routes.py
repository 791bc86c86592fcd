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
from ember.alerts.hub import SUPERSEDED, AlertHub, Subscriber
from ember.api.deps import CurrentActor, Db, actor_briefly
from ember.api.schemas import streamed
from ember.db import unit_of_work
from ember.ids import RecordId
from ember.users.service import current_user

router = APIRouter(prefix="/api", tags=["alerts"])

STREAM_MAX_S = 300.0  # then the browser reconnects (EventSource does it by itself)
HEARTBEAT_S = 15.0  # keeps proxies from closing an idle connection


class NotifyUrls(BaseModel):
    urls: list[str] = Field(default_factory=list, max_length=20,
                            description="apprise URLs: slack://..., msteams://..., mailto://..., json://...")


class AlertOut(BaseModel):
    id: int
    contact: str | None
    contact_id: int | None
    contact_email: str | None
    rule: str | None = Field(description="The trigger rule that raised the alert")
    event: str | None = Field(description="The event type behind it (page_view, email_reply, ...)")
    url: str | None
    source: str | None
    occurred_at: str | None
    summary: str | None
    at: str = Field(description="When the alert was raised (ISO 8601)")
    delivered: bool
    status: str
    attempts: int
    last_error: str | None
    seen: bool
    rep: str | None


class SeenOut(BaseModel):
    id: int
    seen: bool


@router.get("/alerts")
def list_alerts(db: Db, actor: CurrentActor, rep: str | None = None, unseen: bool = False,
                limit: int = Query(100, ge=1, le=1000)) -> list[AlertOut]:
    """Alerts of the reps you may see (yours, your team's as a manager), newest first."""
    return [AlertOut.model_validate(alert)
            for alert in service.list_alerts(db, actor, rep_email=rep, unseen_only=unseen, limit=limit)]


@router.post("/alerts/{alert_id}/seen")
def mark_seen(db: Db, actor: CurrentActor, alert_id: RecordId) -> SeenOut:
    return SeenOut.model_validate(service.mark_seen(db, actor, alert_id))


@router.get("/me/notify")
def get_notify(db: Db, actor: CurrentActor) -> NotifyUrls:
    return NotifyUrls(urls=service.notify_urls(db, current_user(db, actor)))


@router.put("/me/notify")
def put_notify(request: Request, db: Db, actor: CurrentActor, body: NotifyUrls) -> NotifyUrls:
    """Replace where your alerts go besides the app. Each URL is checked before it is kept: one
    that leads to this server or a private network is refused unless an administrator allows it."""
    user = current_user(db, actor)
    policy = destination_policy(request.app.state.settings)
    return NotifyUrls(urls=service.set_notify_urls(db, user, policy=policy, replace=body.urls))


def _start(engine: Engine, rep_id: int, last_event_id: str | None) -> tuple[int, int, list[dict[str, Any]]]:
    """Where the feed starts: the newest alert id, the unseen count, and the alerts a
    reconnecting browser missed (after its Last-Event-ID). One short query, then the
    connection goes back to the pool."""
    with unit_of_work(engine) as session:
        unseen = repository.unseen_count(session, rep_id)
        latest = repository.last_alert_id(session, rep_id)
        # An id past what the database holds is no event the client saw: start from the latest.
        after = int(last_event_id) if last_event_id and last_event_id.isdigit() and len(last_event_id) < 19 \
            else latest
        missed = [service.alert_dict(row) for row in repository.alerts_after(session, rep_id, after)] \
            if after < latest else []
    return min(after, latest), unseen, missed


def _frame(event: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


def alert_hub(app: Any) -> AlertHub:
    hub = getattr(app.state, "alert_hub", None)
    if hub is None:
        per_user = app.state.settings.alerts.alert_streams_per_user
        hub = app.state.alert_hub = AlertHub(app.state.engine, per_user=per_user)
    return hub


async def _feed(request: Request, rep_id: int, once: bool) -> AsyncIterator[str]:
    engine = request.app.state.engine
    if once:
        after, unseen, _ = await run_in_threadpool(_start, engine, rep_id, None)
        yield _frame("count", {"unseen": unseen}, after)
        return
    hub = alert_hub(request.app)
    subscriber = hub.subscribe(rep_id)  # before the first read: nothing raised meanwhile is lost
    try:
        after, unseen, missed = await run_in_threadpool(_start, engine, rep_id, request.headers.get("last-event-id"))
        yield f"retry: 2000\n{_frame('count', {'unseen': unseen}, after)}"
        sent: set[int] = set()
        for alert in missed:
            sent.add(alert["id"])
            yield _frame("alert", {**alert, "unseen": unseen}, alert["id"])
        async for frame in _wait_for_alerts(subscriber, after, sent):
            yield frame
    finally:
        hub.unsubscribe(subscriber)


async def _wait_for_alerts(subscriber: Subscriber, after: int, sent: set[int]) -> AsyncIterator[str]:
    """Frames as the hub wakes this feed; a heartbeat when nothing happens; holds nothing while idle."""
    deadline = time.monotonic() + STREAM_MAX_S
    while (left := deadline - time.monotonic()) > 0:
        try:
            item = await asyncio.wait_for(subscriber.queue.get(), timeout=min(HEARTBEAT_S, left))
        except TimeoutError:
            yield ": still here\n\n"
            continue
        if isinstance(item, str):  # the hub closes this feed: the user opened too many
            yield _frame(SUPERSEDED, {"reason": "you opened more live feeds than allowed; the oldest closes "
                                                "(its page listens again when it is looked at)"})
            return
        alert, unseen = item
        if alert["id"] <= after or alert["id"] in sent:
            continue  # counted at the start, or already sent
        sent.add(alert["id"])
        yield _frame("alert", {**alert, "unseen": unseen}, alert["id"])


@router.get("/alerts/stream", response_class=StreamingResponse, responses=streamed(
    "text/event-stream", "Server-sent events: `count` ({\"unseen\": n}) first, then one `alert` per new alert"))
async def alert_stream(request: Request, once: bool = Query(
        False, description="Send the current count and close (for scripts).")) -> StreamingResponse:
    """Your new alerts as they happen (text/event-stream): `count` first, then one `alert` each.

    Authenticated like every API call (token, or the login cookie). A user holds at most
    EMBER_ALERT_STREAMS_PER_USER streams: opening one more closes the oldest with a
    `superseded` event."""
    # The stream may stay open for minutes: it checks the caller in one short transaction
    # and then holds no connection and no thread while it waits (see ember.alerts.hub).
    actor = await run_in_threadpool(actor_briefly, request)
    return StreamingResponse(_feed(request, actor.id, once), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
